#pragma once
// CodecBranch: one branch from `branches:` (any codec, any encoder from the registry, or a raw
// encode description), feeding its own FrameBus.
//
// The source's raw frames enter at the source's size; the branch scales them in its own
// pipeline (videoscale) when its size differs, and skips frames before the encoder when its
// fps is lower than the source's, so a low branch costs little.
//
// Runtime fallback: with `encoder: auto`, a pipeline failure (on start or while running)
// rebuilds the branch with the next available encoder of the codec (encoders::fallbackChain);
// the bus and its subscribers stay, so viewers get at most a new keyframe.
//
// Live settings: bitrate goes to the running encoder when it takes it live; fps, GOP and size
// rebuild the encode pipeline behind the bus (subscribers stay, the next frame is a keyframe).
//
// Threads: construction, setDemand(), forceKeyframe(), sourceResized() and apply() on the
// ControlLoop thread; offer() on the capture thread; settings() from any thread.

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bus/frame_bus.hpp"
#include "config/branch_settings.hpp"
#include "core/encoded_frame.hpp"
#include "media/encode_branch.hpp"
#include "media/encoders/branch_control.hpp"
#include "media/encoders/encoder_registry.hpp"

namespace framewire::media {

class CodecBranch {
 public:
  // Throws std::runtime_error naming the branch when no encoder fits or the description is
  // invalid (unknown parameter, unknown placeholder).
  CodecBranch(const config::BranchConfig& config, const config::Config& global,
              const encoders::Probe& probe, ControlLoop& loop);

  // Everything the constructor checks (encoder, params, expressions, placeholders), without
  // building anything: start-up calls it first so a bad branch stops it early and cleanly.
  // Throws std::runtime_error naming the branch.
  static void check(const config::BranchConfig& config, const config::Config& global,
                    const encoders::Probe& probe);

  const std::string& id() const { return config_.id; }
  bus::FrameBus& bus() { return bus_; }
  EncodeBranch& branch() { return branch_; }
  const EncodeBranch& branch() const { return branch_; }

  void setDemand(std::size_t subscribers);
  void forceKeyframe();
  // The source's size changed: the expressions are evaluated again.
  void sourceResized(int width, int height);
  // Validates and applies; throws std::invalid_argument with the reason (nothing changed).
  // Returns what was done: "live" (bitrate on the running encoder) or "rebuilt".
  std::string apply(const BranchChange& change);

  CodecBranchSettings settings() const;

  // Capture thread.
  void offer(GstBuffer* buffer, std::int64_t capture_us);

 private:
  std::string description() const;  // control thread
  std::optional<std::string> nextEncoder(const std::string& reason);  // control thread
  void publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us);

  config::BranchConfig config_;  // expressions; a live change replaces them by numbers
  const int default_bitrate_;
  const int default_gop_;
  const encoders::EncoderDef* encoder_ = nullptr;  // null: raw description
  std::map<std::string, std::string> params_;      // the ones the chosen encoder takes
  const core::Codec codec_;
  config::SourceShape source_;  // control thread
  config::BranchValues values_;  // control thread; copied into settings_ under the mutex

  mutable std::mutex settings_mutex_;
  CodecBranchSettings settings_;

  // Frame skipping for a lower fps (capture thread).
  std::atomic<std::int64_t> frame_interval_us_{0};  // 0: every frame
  std::int64_t next_due_us_ = 0;

  std::atomic<int> width_{0};
  std::atomic<int> height_{0};
  std::atomic<std::uint64_t> sequence_{0};
  std::vector<const encoders::EncoderDef*> chain_;  // encoder_ and what follows it on failure
  std::size_t chain_at_ = 0;
  bus::FrameBus bus_;
  EncodeBranch branch_;
};

}  // namespace framewire::media
