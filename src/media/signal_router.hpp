#pragma once
// SignalRouter: decides, frame by frame, whether viewers see the live source or the generated
// "NO SIGNAL" picture, and says when that changes.
//
// Live frames go to the outputs while the signal is live. The signal is lost when the capture
// fails (with its reason) or when no live frame came for the signal timeout; from then on the
// NoSignalSource's frames go to the same outputs, so encoders and viewers carry on. The first
// live frame afterwards (for a pass-through source: the first keyframe, so every decoder can
// start on it) restores the live picture at once. A new reason while lost is told as another
// loss (changed(true, new reason)).
//
// Threads: onCapture() on the capture streaming thread, NO SIGNAL frames on the generator's
// thread (both under one lock, so outputs see one ordered stream); onFailure(), start(),
// stop() and tick() on the control thread; status() anywhere. The change handler may run on
// either thread and must only post work.

#include <gst/gst.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "media/capture_pipeline.hpp"
#include "media/no_signal_source.hpp"

namespace framewire::media {

struct SignalStatus {
  bool lost = false;
  std::string reason;               // empty while live
  std::int64_t last_change_us = 0;  // wall clock; 0 before the first change
  std::uint64_t losses = 0;
  std::uint64_t no_signal_frames = 0;
};

class SignalRouter {
 public:
  struct Outputs {
    std::function<void(GstBuffer*, std::int64_t capture_us)> raw;  // live raw and NO SIGNAL
    std::function<void(const CapturePipeline::Frame&)> encoded;      // live pass-through
    std::function<void(bool lost, const std::string& reason)> changed;
    std::function<void(int width, int height)> resized;  // live frames changed size
  };

  SignalRouter(int fps, double timeout_s, int width, int height, Outputs outputs);
  ~SignalRouter();

  void onCapture(const CapturePipeline::Frame& frame);  // capture streaming thread

  // Control thread.
  void onFailure(const std::string& reason);
  void start();  // capture started: the silence timer begins now
  void stop();   // capture stopped (nobody watches): no NO SIGNAL frames either
  void tick();   // checks for silence; call every ~100 ms while started

  SignalStatus status() const;

 private:
  void loseLocked(const std::string& reason);
  void onNoSignalFrame(GstBuffer* buffer, std::int64_t capture_us);

  const std::int64_t timeout_us_;
  const Outputs outputs_;

  mutable std::mutex mutex_;
  bool started_ = false;
  bool lost_ = false;
  std::string reason_;
  std::int64_t last_change_us_ = 0;
  std::int64_t last_frame_steady_us_ = 0;
  std::uint64_t losses_ = 0;
  int width_;
  int height_;

  NoSignalSource no_signal_;  // last: its thread stops before the fields above go
};

}  // namespace framewire::media
