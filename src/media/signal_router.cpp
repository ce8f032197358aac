#include "media/signal_router.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

namespace framewire::media {

SignalRouter::SignalRouter(int fps, double timeout_s, int width, int height, Outputs outputs)
    : timeout_us_(static_cast<std::int64_t>(timeout_s * 1e6)),
      outputs_(std::move(outputs)),
      width_(width),
      height_(height),
      no_signal_(fps, [this](GstBuffer* buffer, std::int64_t capture_us) {
        onNoSignalFrame(buffer, capture_us);
      }) {
  // Fonts load once, here, rather than on the first failure.
  no_signal_.prepare("no signal", width, height);
}

SignalRouter::~SignalRouter() { no_signal_.stop(); }

void SignalRouter::onCapture(const CapturePipeline::Frame& frame) {
  bool restored = false;
  bool resized = false;
  {
    std::lock_guard lock(mutex_);
    last_frame_steady_us_ = core::steadyMicros();
    if (frame.width > 0 && frame.height > 0 &&
        (frame.width != width_ || frame.height != height_)) {
      spdlog::info("media: the source is now {}x{} (was {}x{})", frame.width, frame.height,
                   width_, height_);
      width_ = frame.width;
      height_ = frame.height;
      resized = true;
    }
    if (lost_) {
      // A pass-through stream can only be joined at a keyframe.
      if (frame.encoded && GST_BUFFER_FLAG_IS_SET(frame.buffer, GST_BUFFER_FLAG_DELTA_UNIT)) {
        if (resized && outputs_.resized) outputs_.resized(width_, height_);
        return;
      }
      lost_ = false;
      reason_.clear();
      last_change_us_ = core::wallClockMicros();
      no_signal_.hide();
      restored = true;
      spdlog::info("media: signal restored");
      // Told before the frame goes out, so a pass-through source's keyframe is the first
      // thing viewers get from it (the encoder's NO SIGNAL output stops first).
      if (outputs_.changed) outputs_.changed(false, "");
    }
    if (frame.encoded) {
      if (outputs_.encoded) outputs_.encoded(frame);
    } else if (outputs_.raw) {
      outputs_.raw(frame.buffer, frame.capture_us);
    }
  }
  (void)restored;
  if (resized && outputs_.resized) outputs_.resized(frame.width, frame.height);
}

void SignalRouter::onNoSignalFrame(GstBuffer* buffer, std::int64_t capture_us) {
  std::lock_guard lock(mutex_);
  if (!lost_ || !started_) return;
  if (outputs_.raw) outputs_.raw(buffer, capture_us);
}

void SignalRouter::loseLocked(const std::string& reason) {
  if (lost_) {
    if (reason != reason_) {
      // A better reason found later (silence first, then the camera's connection refused):
      // the picture, /api/state and an event all say the new one.
      reason_ = reason;
      last_change_us_ = core::wallClockMicros();
      spdlog::info("media: signal still lost, now: {}", reason_);
      if (started_) no_signal_.show(reason_, width_, height_);
      if (outputs_.changed) outputs_.changed(true, reason_);
    }
    return;
  }
  lost_ = true;
  reason_ = reason;
  ++losses_;
  last_change_us_ = core::wallClockMicros();
  spdlog::warn("media: signal lost ({}): showing NO SIGNAL", reason_);
  if (started_) no_signal_.show(reason_, width_, height_);
  if (outputs_.changed) outputs_.changed(true, reason_);
}

void SignalRouter::onFailure(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (started_) loseLocked(reason);
}

void SignalRouter::start() {
  std::lock_guard lock(mutex_);
  started_ = true;
  last_frame_steady_us_ = core::steadyMicros();
  if (lost_) no_signal_.show(reason_, width_, height_);
}

void SignalRouter::stop() {
  std::lock_guard lock(mutex_);
  started_ = false;
  no_signal_.hide();
}

void SignalRouter::tick() {
  std::lock_guard lock(mutex_);
  if (!started_ || lost_) return;
  if (core::steadyMicros() - last_frame_steady_us_ > timeout_us_) loseLocked("no signal");
}

SignalStatus SignalRouter::status() const {
  std::lock_guard lock(mutex_);
  SignalStatus s;
  s.lost = lost_;
  s.reason = reason_;
  s.last_change_us = last_change_us_;
  s.losses = losses_;
  s.no_signal_frames = no_signal_.framesGenerated();
  return s;
}

}  // namespace framewire::media
