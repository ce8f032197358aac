#include "webrtc_test_client.hpp"

#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <chrono>
#include <functional>
#include <thread>

#include "transport/webrtc/ice_setup.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::test {
namespace {

GstStructure* waitReply(GstPromise* promise) {
  gst_promise_wait(promise);
  const GstStructure* reply = gst_promise_get_reply(promise);
  return reply ? gst_structure_copy(reply) : nullptr;
}

bool waitUntil(int timeout_ms, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace

WebRtcTestClient::WebRtcTestClient(bool with_audio) {
  pipeline_ = gst_pipeline_new("client");
  webrtc_ = gst_element_factory_make("webrtcbin", "client-webrtc");
  gst_bin_add(GST_BIN(pipeline_), webrtc_);
  gst_util_set_object_arg(G_OBJECT(webrtc_), "bundle-policy", "max-bundle");
  g_object_set(webrtc_, "latency", 0u, nullptr);
  transport::webrtc::WebRtcConfig ice;
  ice.interfaces = {"127.0.0.1"};
  transport::webrtc::configureIce(webrtc_, ice);
  g_signal_connect(webrtc_, "pad-added", G_CALLBACK(&WebRtcTestClient::onPadAdded), this);
  g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(&WebRtcTestClient::onCandidate), this);

  if (with_audio) {
    GstCaps* audio = gst_caps_from_string(
        "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000");
    GstWebRTCRTPTransceiver* t = nullptr;
    g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                          audio, &t);
    gst_caps_unref(audio);
    if (t) gst_object_unref(t);
  }
  // Like a browser: several H.264 variants, the exact match not first.
  GstCaps* video = gst_caps_from_string(
      "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000;"
      "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
      "packetization-mode=(string)1,profile-level-id=(string)42001f,"
      "level-asymmetry-allowed=(string)1,rtcp-fb-nack-pli=(boolean)true,"
      "rtcp-fb-nack=(boolean)true,rtcp-fb-ccm-fir=(boolean)true;"
      "application/x-rtp,media=video,encoding-name=H264,payload=108,clock-rate=90000,"
      "packetization-mode=(string)1,profile-level-id=(string)42e01f,"
      "level-asymmetry-allowed=(string)1,rtcp-fb-nack-pli=(boolean)true,"
      "rtcp-fb-nack=(boolean)true,rtcp-fb-ccm-fir=(boolean)true");
  GstWebRTCRTPTransceiver* t = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                        video, &t);
  gst_caps_unref(video);
  if (t) {
    g_object_set(t, "do-nack", TRUE, nullptr);
    gst_object_unref(t);
  }
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

WebRtcTestClient::~WebRtcTestClient() {
  stop();
  gst_object_unref(pipeline_);
}

void WebRtcTestClient::stop() { gst_element_set_state(pipeline_, GST_STATE_NULL); }

void WebRtcTestClient::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<WebRtcTestClient*>(data);
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GError* error = nullptr;
  GstElement* bin = gst_parse_bin_from_description(
      "rtph264depay request-keyframe=true ! avdec_h264 ! fakesink name=decoded "
      "signal-handoffs=true sync=false",
      TRUE, &error);
  if (!bin) {
    if (error) g_error_free(error);
    return;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(bin), "decoded");
  g_signal_connect(sink, "handoff", G_CALLBACK(+[](GstElement*, GstBuffer*, GstPad*, gpointer d) {
                     ++static_cast<WebRtcTestClient*>(d)->decoded_;
                   }),
                   self);
  gst_bin_add(GST_BIN(self->pipeline_), bin);
  gst_element_sync_state_with_parent(bin);
  GstPad* sinkpad = gst_element_get_static_pad(bin, "sink");
  gst_pad_link(pad, sinkpad);
  gst_object_unref(sinkpad);
  {
    std::lock_guard lock(self->mutex_);
    self->decode_sink_ = sink;  // ref held until the client ends (leaked into the bin's life)
  }
  gst_object_unref(sink);
}

void WebRtcTestClient::onCandidate(GstElement*, guint, gchar* candidate, gpointer data) {
  auto* self = static_cast<WebRtcTestClient*>(data);
  std::lock_guard lock(self->mutex_);
  self->candidates_.emplace_back(candidate);
}

std::string WebRtcTestClient::createOffer() {
  GstPromise* promise = gst_promise_new();
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
  GstStructure* reply = waitReply(promise);
  gst_promise_unref(promise);
  GstWebRTCSessionDescription* offer = nullptr;
  gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
  gst_structure_free(reply);
  promise = gst_promise_new();
  g_signal_emit_by_name(webrtc_, "set-local-description", offer, promise);
  gst_promise_wait(promise);
  gst_promise_unref(promise);
  gchar* text = gst_sdp_message_as_text(offer->sdp);
  std::string sdp = text;
  g_free(text);
  gst_webrtc_session_description_free(offer);
  if (auto parsed = transport::webrtc::parseSdp(sdp); parsed.description) {
    const auto& d = *parsed.description;
    for (const auto& m : d.media) {
      if (m.media != "video") continue;
      ufrag_ = d.effectiveAttribute(m, "ice-ufrag").value_or("");
      pwd_ = d.effectiveAttribute(m, "ice-pwd").value_or("");
      mid_ = m.mid;
    }
  }
  return sdp;
}

bool WebRtcTestClient::setAnswer(const std::string& sdp) {
  GstSDPMessage* message = nullptr;
  if (gst_sdp_message_new_from_text(sdp.c_str(), &message) != GST_SDP_OK) return false;
  auto* answer = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, message);
  GstPromise* promise = gst_promise_new();
  g_signal_emit_by_name(webrtc_, "set-remote-description", answer, promise);
  GstStructure* reply = waitReply(promise);
  gst_promise_unref(promise);
  gst_webrtc_session_description_free(answer);
  const bool ok = !reply || !gst_structure_has_field(reply, "error");
  if (reply) gst_structure_free(reply);
  return ok;
}

bool WebRtcTestClient::waitForGathering(int timeout_ms) const {
  return waitUntil(timeout_ms, [this] {
    GstWebRTCICEGatheringState state;
    g_object_get(webrtc_, "ice-gathering-state", &state, nullptr);
    return state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
  });
}

std::string WebRtcTestClient::candidateFragment() {
  std::lock_guard lock(mutex_);
  std::string out = "a=ice-ufrag:" + ufrag_ + "\r\na=ice-pwd:" + pwd_ +
                    "\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:" + mid_ + "\r\n";
  for (const auto& c : candidates_) out += "a=" + c + "\r\n";
  return out + "a=end-of-candidates\r\n";
}

void WebRtcTestClient::requestKeyframe() {
  GstElement* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    sink = decode_sink_;
  }
  if (!sink) return;
  gst_element_send_event(sink,
                         gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

bool WebRtcTestClient::waitForFrames(std::uint64_t count, int timeout_ms) const {
  return waitUntil(timeout_ms, [&] { return decoded_.load() >= count; });
}

}  // namespace framewire::test
