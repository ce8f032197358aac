#pragma once
// CapturePipeline: the source in its own restartable pipeline, ending in an appsink.
//
// Each frame gets the latency stamp (the wall clock when it leaves the pipeline) written into
// its luma plane, then goes to the frame handler on the capture streaming thread, which must
// not block (it hands the buffer to the encode branches' appsrcs and returns).
//
// A failure (error, end of stream, or no frame for a while) tears the pipeline down and
// rebuilds it with backoff, counting capture restarts; it never ends the process.
// Threads: start()/stop() and every restart run on the ControlLoop thread; the counters may be
// read from any thread.

#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "media/control_loop.hpp"
#include "media/pipeline.hpp"

namespace framewire::media {

class CapturePipeline {
 public:
  // `buffer` is borrowed for the call (take a ref or a shallow copy to keep it).
  using FrameHandler = std::function<void(GstBuffer* buffer, std::int64_t capture_us)>;

  CapturePipeline(const config::Config& config, ControlLoop& loop, FrameHandler on_frame);
  ~CapturePipeline();

  // Control thread only.
  void start();  // no-op while running
  void stop();   // no-op while stopped; cancels pending restarts

  bool running() const { return running_.load(); }
  std::uint64_t framesCaptured() const { return frames_captured_.load(); }
  std::uint64_t restarts() const { return restarts_.load(); }

 private:
  void build();
  void fail(std::uint64_t generation, const std::string& reason);
  void scheduleWatchdog(std::uint64_t generation, std::uint64_t frames_seen);

  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstFlowReturn onNewSample(GstElement* sink, gpointer self);
  void stamp(GstPadProbeInfo* info);

  const config::Config config_;
  ControlLoop& loop_;
  const FrameHandler on_frame_;

  // Control thread state.
  std::unique_ptr<Pipeline> pipeline_;
  bool wanted_ = false;
  std::uint64_t generation_ = 0;  // bumped on every build/stop; stale callbacks compare it
  std::int64_t backoff_us_ = 0;
  ControlLoop::TaskId restart_task_ = 0;
  ControlLoop::TaskId watchdog_task_ = 0;

  // Streaming thread state (the pipeline is rebuilt, and these reset, while it is stopped).
  GstVideoInfo video_info_{};
  bool video_info_valid_ = false;

  std::atomic<bool> running_{false};
  std::atomic<bool> frames_since_build_{false};
  std::atomic<std::uint64_t> frames_captured_{0};
  std::atomic<std::uint64_t> restarts_{0};
};

}  // namespace framewire::media
