// PeerSession's video feed (see peer_session.hpp): bus → appsrc on the feed executor, with
// capture times mapped to running time. The audio track has its own (peer_audio.cpp).

#include <gst/app/gstappsrc.h>

#include <algorithm>

#include "core/clock.hpp"
#include "transport/webrtc/peer_session.hpp"
#include "transport/webrtc/send_path.hpp"

namespace framewire::transport::webrtc {

void PeerSession::subscribe() {
  if (subscription_ || !currentBus() || closed_) return;
  SerialExecutor* feed = &feed_;
  // The wake runs with the mailbox lock held: it only posts.
  auto subscription = currentBus()->subscribe([feed, weak = weak_from_this()] {
    feed->post([weak] {
      if (auto self = weak.lock()) self->drain();
    });
  });
  // drain() reads it on the feed executor.
  std::atomic_store(&subscription_, std::move(subscription));
  // Frames may have arrived before the store: drain once.
  feed_.post([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->drain();
  });
  if (params_.audio_bus && audio_src_ && !audio_subscription_) {
    auto audio = params_.audio_bus->subscribe([feed, weak = weak_from_this()] {
      feed->post([weak] {
        if (auto self = weak.lock()) self->drainAudio();
      });
    });
    std::atomic_store(&audio_subscription_, std::move(audio));
  }
}

// Capture times map into running time through the wall clock read at the first frame sent,
// so each PTS lies in the past by exactly that frame's own capture→send delay. Anchoring on
// the first frame's capture time instead put every later PTS that first frame's delay (often
// a slow IDR, tens of ms) into the future, and something in webrtcbin's send path waited it
// out (the browser received frames ~30 ms later, measured against a packet capture). Video
// and audio share the mapping. -1: the pipeline has no clock yet.
std::int64_t PeerSession::runningFromCapture(GstElement* src, std::int64_t capture_us) {
  GstClock* clock = gst_element_get_clock(src);
  if (!clock) return -1;
  const auto running =
      static_cast<std::int64_t>(gst_clock_get_time(clock) - gst_element_get_base_time(src));
  gst_object_unref(clock);
  if (capture_us <= 0) return running;
  if (!pts_offset_set_) {
    pts_offset_ns_ = running - core::wallClockMicros() * 1000;
    pts_offset_set_ = true;
  }
  return std::max<std::int64_t>(0, capture_us * 1000 + pts_offset_ns_);
}

void PeerSession::drain() {
  if (!appsrc_ || !sending_.load(std::memory_order_acquire)) return;
  takePendingAtKeyframe();
  auto subscription = std::atomic_load(&subscription_);
  if (!subscription) return;
  while (auto frame = subscription->pop()) {
    GstBuffer* buffer = wrapFrame(frame);
    // RTP timestamps follow the capture clock (even spacing for the browser's jitter buffer).
    const std::int64_t mapped = runningFromCapture(appsrc_, frame->capture_us);
    GstClockTime pts = mapped < 0 ? GST_CLOCK_TIME_NONE : static_cast<GstClockTime>(mapped);
    if (last_pts_ != GST_CLOCK_TIME_NONE && pts != GST_CLOCK_TIME_NONE && pts <= last_pts_) {
      pts = last_pts_ + 1;  // keep it increasing across capture restarts
    }
    last_pts_ = pts;
    if (video_capture_times_ && pts != GST_CLOCK_TIME_NONE && frame->capture_us > 0) {
      video_capture_times_->record(pts, frame->capture_us);
    }
    GST_BUFFER_PTS(buffer) = pts;
    GST_BUFFER_DTS(buffer) = pts;
    if (!frame->keyframe) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    if (gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buffer) != GST_FLOW_OK) return;
    ++frames_sent_;
    // appsrc hands it to the payloader and the network on its own thread right away.
    currentBus()->recordSent(*frame, core::wallClockMicros());
  }
}

}  // namespace framewire::transport::webrtc
