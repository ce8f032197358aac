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
#include <memory>
#include <string>
#include <vector>

#include "bus/frame_bus.hpp"
#include "bus/latest_frame_bus.hpp"
#include "config/config.hpp"

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
  std::string source;        // "test"
  bool capturing = false;    // the capture pipeline is running
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

  MediaState state() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::media
