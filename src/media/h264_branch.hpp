#pragma once
// The H.264 branch "main": x264 tuned for latency, feeding a FrameBus.
//
// x264enc with zero-latency tuning and no B-frames, Annex-B access units with SPS/PPS before
// every IDR (h264parse config-interval=-1), and keyframes on request through an upstream
// force-key-unit event. GOP 0 means "keyframes only on request": x264's key-int-max=0 would
// mean "automatic" (about 250 frames), so it gets an effectively infinite interval instead.
//
// The encoder runs inline on the capture thread (BranchSpec::inline_encode): frames are
// encoded and published before the capture thread fills the next one.
//
// Live settings (POST /api/settings on "main"): bitrate goes to the running encoder; fps, GOP
// and size rebuild the encoder behind the bus, as the `branches:` ones do (the picture is
// scaled inside the branch when its size differs from the source's, and frames are skipped
// before the encoder for a lower fps).
//
// Threads: as EncodeBranch. forceKeyframe(), setDemand(), resize() and apply() on the
// ControlLoop thread; settings() from any thread.

#include <gst/gst.h>

#include <atomic>
#include <mutex>
#include <string>

#include "bus/frame_bus.hpp"
#include "config/config.hpp"
#include "media/encode_branch.hpp"
#include "media/encoders/branch_control.hpp"

namespace framewire::media {

class H264Branch {
 public:
  H264Branch(const config::Config& config, ControlLoop& loop, bus::FrameBus& bus);

  // `config`'s size is the source's (the appsrc caps); `out_width` x `out_height`, when set
  // and different, is what the encoder gets (scaled in the branch).
  static std::string description(const config::Config& config, int out_width = 0,
                                 int out_height = 0);

  EncodeBranch& branch() { return branch_; }
  const EncodeBranch& branch() const { return branch_; }

  // Opens the valve while the bus has subscribers; an opening asks for an IDR, since the
  // encoder's references are stale after a pause.
  void setDemand(std::size_t subscribers);
  void forceKeyframe();
  // Control thread: the stream's size changed; the encoder follows (rebuilt, so its next frame
  // is an IDR with the new SPS, which makes Direct clients get a new hello), viewers stay.
  void resize(int width, int height);
  // Validates and applies; throws std::invalid_argument with the reason (nothing changed).
  // Returns "live", "rebuilt", "next start" or "unchanged".
  std::string apply(const BranchChange& change);
  CodecBranchSettings settings() const;

  // Pass-through sources publish their own access units on the bus while live; the encoder's
  // output (NO SIGNAL frames) goes out only while this is on, and resumes at an IDR so no
  // viewer's decoder sees a P-frame of the other stream. Any thread.
  void setEncoderPublishing(bool on);
  // Capture thread: a source's access unit, published as it is.
  void publishPassthrough(GstBuffer* buffer, std::int64_t capture_us, int width, int height);

  // Capture thread.
  void offer(GstBuffer* buffer, std::int64_t capture_us);

 private:
  void publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us);
  std::string currentDescription() const;  // control thread
  int outWidth() const { return out_width_ > 0 ? out_width_ : config_.width; }
  int outHeight() const { return out_height_ > 0 ? out_height_ : config_.height; }
  void publishSettings();  // control thread: settings_ from the fields below

  config::Config config_;  // its size changes on the control thread (resize)
  const int source_fps_;
  // Control thread: a size asked for through POST /api/settings (0: the source's).
  int out_width_ = 0;
  int out_height_ = 0;
  mutable std::mutex settings_mutex_;
  CodecBranchSettings settings_;
  // Frame skipping for an fps below the source's (capture thread).
  std::atomic<std::int64_t> frame_interval_us_{0};
  std::int64_t next_due_us_ = 0;
  bus::FrameBus& bus_;
  std::atomic<int> width_;
  std::atomic<int> height_;
  std::atomic<bool> encoder_publishing_{true};
  std::atomic<bool> encoder_needs_idr_{false};
  std::atomic<std::uint64_t> sequence_{0};
  EncodeBranch branch_;
};

}  // namespace framewire::media
