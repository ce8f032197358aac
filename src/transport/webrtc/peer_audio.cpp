// PeerSession's audio track (see peer_session.hpp): built when the answer carries audio, fed
// from the audio bus on the feed executor. It also receives when the answer takes the viewer's
// microphone (peer_microphone.cpp).

#include <gst/app/gstappsrc.h>
#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <cstdlib>

#include "core/clock.hpp"
#include "transport/webrtc/capture_time_probe.hpp"
#include "transport/webrtc/peer_session.hpp"
#include "transport/webrtc/send_path.hpp"

namespace framewire::transport::webrtc {

// The audio track: appsrc (encoded frames from the audio bus) ! RTP payloader ! webrtcbin, a
// second sendonly transceiver on the same (bundled) transport. Its own appsrc and streaming
// thread: an audio frame never waits behind a video frame being payloaded.
bool PeerSession::buildAudio(std::string* error) {
  const AudioChoice& choice = *params_.plan.audio;
  if (!choice.send || !params_.audio_bus) {
    return !choice.receive || buildReceiveOnlyAudio(error);
  }
  const std::string& encoding = choice.codec.encoding;
  const char* pay_name = "rtpopuspay";
  const char* caps_text = "audio/x-opus,rate=48000,channels=2,channel-mapping-family=0";
  if (encoding == "PCMU") {
    pay_name = "rtppcmupay";
    caps_text = "audio/x-mulaw,rate=8000,channels=1";
  } else if (encoding == "PCMA") {
    pay_name = "rtppcmapay";
    caps_text = "audio/x-alaw,rate=8000,channels=1";
  } else if (encoding == "G722") {
    pay_name = "rtpg722pay";
    caps_text = "audio/G722,rate=16000,channels=1";
  }
  audio_src_ = gst_element_factory_make("appsrc", "audio_src");
  GstElement* pay = gst_element_factory_make(pay_name, "audio_pay");
  if (!audio_src_ || !pay) {
    *error = std::string("a GStreamer element is missing (appsrc or ") + pay_name + ")";
    for (auto* e : {audio_src_, pay}) {
      if (e) gst_object_unref(gst_object_ref_sink(e));
    }
    audio_src_ = nullptr;
    return false;
  }
  gst_bin_add_many(GST_BIN(pipeline_.get()), audio_src_, pay, nullptr);
  CapsRef caps(gst_caps_from_string(caps_text));
  g_object_set(audio_src_, "caps", caps.get(), "is-live", TRUE, "format", GST_FORMAT_TIME,
               "do-timestamp", FALSE, "block", FALSE, "max-buffers", static_cast<guint64>(10), nullptr);
  gst_util_set_object_arg(G_OBJECT(audio_src_), "leaky-type", "downstream");
  const guint ssrc = g_random_int_range(1, G_MAXINT32);
  g_object_set(pay, "pt", choice.payload_type, "ssrc", ssrc, "mtu", 1200u, nullptr);
  GstWebRTCRTPTransceiver* transceiver = linkSendPath(audio_src_, pay, webrtcbin_, pay_name, error);
  if (!transceiver) return false;
  // As for video: the ssrc makes webrtcbin announce it (a=ssrc), so the browser maps the
  // packets to the audio track.
  CapsRef prefs(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                    "encoding-name", G_TYPE_STRING, encoding.c_str(),
                                    "clock-rate", G_TYPE_INT, choice.codec.clock_rate, "payload",
                                    G_TYPE_INT, choice.payload_type, "ssrc", G_TYPE_UINT, ssrc,
                                    nullptr));
  // sendrecv when the viewer's microphone comes back on the same section (peer_microphone.cpp).
  g_object_set(transceiver, "direction",
               choice.receive ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV
                              : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
               "codec-preferences", prefs.get(), nullptr);
  gst_object_unref(transceiver);
  // Each packet's capture time (its frame's first sample), as on the video's payloader.
  if (choice.abs_capture_time_id) {
    audio_capture_times_ = std::make_shared<CaptureTimes>();
    addCaptureTimeProbe(pay, *choice.abs_capture_time_id, audio_capture_times_);
  }
  return true;
}

void PeerSession::drainAudio() {
  auto subscription = std::atomic_load(&audio_subscription_);
  if (!subscription || !audio_src_) return;
  const std::int64_t frame_ns = static_cast<std::int64_t>(params_.audio_frame_ms) * 1'000'000;
  while (auto frame = subscription->pop()) {
    GstBuffer* buffer = wrapFrame(frame);
    // Where capture time says the frame belongs (the mapping video uses too).
    const std::int64_t by_capture =
        std::max<std::int64_t>(0, runningFromCapture(audio_src_, frame->capture_us));
    // RTP timestamps advance by the frames' own sample-exact spacing; a capture restart (or
    // drift beyond 100 ms) re-anchors on the capture mapping.
    std::int64_t pts = audio_anchor_pts_ns_ + (frame->pts_ns - audio_anchor_frame_ns_);
    if (audio_anchor_pts_ns_ < 0 || std::llabs(pts - by_capture) > 100'000'000) {
      audio_anchor_pts_ns_ = by_capture;
      audio_anchor_frame_ns_ = frame->pts_ns;
      pts = by_capture;
    }
    GstClockTime out = static_cast<GstClockTime>(pts);
    if (last_audio_pts_ != GST_CLOCK_TIME_NONE && out <= last_audio_pts_) out = last_audio_pts_ + 1;
    last_audio_pts_ = out;
    if (audio_capture_times_ && frame->capture_us > 0) audio_capture_times_->record(out, frame->capture_us);
    GST_BUFFER_PTS(buffer) = out;
    GST_BUFFER_DTS(buffer) = out;
    GST_BUFFER_DURATION(buffer) = static_cast<GstClockTime>(frame_ns);
    if (gst_app_src_push_buffer(GST_APP_SRC(audio_src_), buffer) != GST_FLOW_OK) return;
    ++audio_frames_sent_;
    params_.audio_bus->recordSent(*frame, core::wallClockMicros());
  }
}

}  // namespace framewire::transport::webrtc
