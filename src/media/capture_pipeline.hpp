#pragma once
// CapturePipeline: the source in its own restartable pipeline, ending in an appsink.
//
// Each frame gets the latency stamp (the wall clock when it leaves the pipeline) written into
// its luma plane, then goes to the frame handler on the capture streaming thread, which must
// not block (it hands the buffer to the encode branches' appsrcs and returns).
//
// A failure (error, end of stream, a closed display, or no frame for a while) tears the
// pipeline down, tells the failure handler why in viewers' words ("display closed", "input
// ended", ...) and rebuilds it after 250 ms, then every second, counting capture restarts; it
// never ends the process. Files loop: their end of stream seeks back to the start.
//
// Raw sources end in I420 (stamped); encoded ones (SourceSpec::encoded) end in H.264 Annex-B
// access units, handed over as they are (cut by h264parse, or for split_access_units by
// AccessUnitSplitter, with the input's bytes untouched).
// Threads: start()/stop() and every restart run on the ControlLoop thread; the counters may be
// read from any thread.

#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "media/control_loop.hpp"
#include "media/pipeline.hpp"
#include "media/sources/access_units.hpp"
#include "media/sources/source_spec.hpp"

namespace framewire::media {

class CapturePipeline {
 public:
  struct Frame {
    GstBuffer* buffer = nullptr;  // borrowed for the call (take a ref or a copy to keep it)
    std::int64_t capture_us = 0;
    int width = 0;  // from the stream's caps
    int height = 0;
    bool encoded = false;  // H.264 access unit (pass-through) rather than raw I420
  };
  using FrameHandler = std::function<void(const Frame& frame)>;
  // Control thread: the capture failed or the source is unavailable, with the reason viewers
  // should read.
  using FailureHandler = std::function<void(const std::string& reason)>;

  CapturePipeline(const config::Config& config, ControlLoop& loop, FrameHandler on_frame,
                  FailureHandler on_failure = {});
  ~CapturePipeline();

  // Control thread only.
  void start();  // no-op while running
  void stop();   // no-op while stopped; cancels pending restarts

  bool running() const { return running_.load(); }
  std::uint64_t framesCaptured() const { return frames_captured_.load(); }
  std::uint64_t restarts() const { return restarts_.load(); }
  // Whether the source passes H.264 through (decided at start-up from the config).
  bool encoded() const { return encoded_; }

 private:
  void build();
  void fail(std::uint64_t generation, const std::string& reason, const std::string& why);
  void onPipelineFailure(std::uint64_t generation, const std::string& reason);
  void scheduleWatchdog(std::uint64_t generation, std::uint64_t frames_seen, int quiet_ticks);

  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstFlowReturn onNewSample(GstElement* sink, gpointer self);
  void stamp(GstPadProbeInfo* info);
  void deliver(GstBuffer* buffer);
  void splitAndDeliver(GstBuffer* chunk);
  void deliverAccessUnit(std::span<const std::uint8_t> access_unit);

  const config::Config config_;
  ControlLoop& loop_;
  const FrameHandler on_frame_;
  const FailureHandler on_failure_;
  const bool encoded_;

  // Control thread state.
  std::unique_ptr<Pipeline> pipeline_;
  bool wanted_ = false;
  std::uint64_t generation_ = 0;  // bumped on every build/stop; stale callbacks compare it
  std::int64_t backoff_us_ = 0;
  SourceSpec spec_;                // of the current build
  std::string last_failure_;       // to log a repeating failure once
  std::shared_ptr<void> source_part_;  // SourceSpec::prepare's result, for the current build
  ControlLoop::TaskId restart_task_ = 0;
  ControlLoop::TaskId watchdog_task_ = 0;

  // Streaming thread state (the pipeline is rebuilt, and these reset, while it is stopped).
  GstVideoInfo video_info_{};
  bool video_info_valid_ = false;
  int width_ = 0;  // from the caps, raw or encoded (or the SPS, when framewire splits)
  int height_ = 0;
  AccessUnitSplitter splitter_;          // SourceSpec::split_access_units
  std::vector<std::uint8_t> headers_;    // the last SPS and PPS seen, with their start codes

  std::atomic<bool> running_{false};
  std::atomic<bool> frames_since_build_{false};
  std::atomic<std::uint64_t> frames_captured_{0};
  std::atomic<std::uint64_t> restarts_{0};
};

}  // namespace framewire::media
