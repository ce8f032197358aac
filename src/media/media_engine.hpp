#pragma once
// MediaEngine: everything GStreamer, behind a header that includes none of it.
//
// It owns the capture pipeline (the source, restartable), the H.264 encode branch "main"
// feeding `h264Bus()`, and the JPEG branch feeding `jpegBus()`. Nothing runs for nobody:
// a branch encodes only while its bus has subscribers, and the capture stops `linger`
// seconds after the last subscriber of any branch leaves and starts again on the next join.
//
// Threads: construct, start() and stop() from the main thread. The buses are safe to use from
// any thread. Pipeline state changes happen on the engine's own control thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bus/frame_bus.hpp"
#include "bus/latest_frame_bus.hpp"
#include "config/config.hpp"
#include "media/encoders/branch_control.hpp"

namespace framewire::media {

struct BranchState {
  std::string id;          // "main", "jpeg"
  std::string codec;       // "h264", "jpeg"
  std::string encoder;     // GStreamer element used, e.g. "x264enc"
  bool encoding = false;   // frames currently flow into the encoder
  std::uint64_t frames_in = 0;   // raw frames handed to the encoder since start
  std::uint64_t frames_out = 0;  // encoded frames published
};

struct MediaState {
  std::string source;        // "test", "x11", "stdin", "file", "rtsp", "v4l2"
  bool capturing = false;    // the capture pipeline is running
  // "live", or "lost" while viewers get generated NO SIGNAL frames (with the reason:
  // "no signal", "device missing", "display closed", "input ended", "camera unreachable").
  std::string signal = "live";
  std::string signal_reason;
  std::int64_t last_signal_change_us = 0;  // wall clock, 0 before the first change
  std::uint64_t signal_losses = 0;
  std::uint64_t no_signal_frames = 0;
  bool passthrough = false;  // the source's H.264 is published as it is (no encoder while live)
  bool bframes = false;      // B-frames were seen in a passed-through stream
  int width = 0;
  int height = 0;
  int fps = 0;
  std::uint64_t frames_captured = 0;
  std::uint64_t capture_restarts = 0;
  std::vector<BranchState> branches;
};

class MediaEngine {
 public:
  // Throws std::runtime_error naming the missing element when a needed GStreamer plugin is
  // absent. Calls gst_init if needed.
  explicit MediaEngine(const config::Config& config);
  ~MediaEngine();
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  void start();  // arms demand tracking; pipelines start with the first subscriber
  void stop();   // stops every pipeline; safe to call twice

  bus::FrameBus& h264Bus();
  bus::LatestFrameBus& jpegBus();

  // Encoded branches: "main" without `branches:`, else the configured ones in their order (the
  // first is the default). encodedBus() is null for an unknown id; "" is the default branch.
  std::vector<CodecBranchSettings> branchSettings() const;
  std::string defaultBranch() const;
  bus::FrameBus* encodedBus(std::string_view id);
  // POST /api/settings: applied on the control thread, which then calls `done` (it must only
  // post or answer; it must not block).
  void applySettings(const SettingsRequest& request,
                     std::function<void(const SettingsOutcome&)> done);

  MediaState state() const;

  // Told ("signal_lost", reason) and ("signal_restored", "") on the media control thread; it
  // must not block (post to your own executor). Set before start() or at any time.
  using EventListener = std::function<void(const std::string& type, const std::string& reason)>;
  void setEventListener(EventListener listener);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::media
