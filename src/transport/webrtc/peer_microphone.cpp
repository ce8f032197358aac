// PeerSession's receive side (see peer_session.hpp): the viewer's microphone, when the answer
// accepted it, and a safe end for any other stream a client sends.
//
// webrtcbin adds a src pad when the first RTP packet of an incoming stream arrives. An audio
// pad of a peer that may speak goes through its depayloader into an appsink whose frames go to
// the shared MicrophonePlayer (decoding and PulseAudio live there, outside this pipeline, so a
// missing sink never fails the peer). Any other pad ends in a fakesink: an unlinked pad would
// stop webrtcbin's receive path with a not-linked error, which fails the whole peer.

#include <gst/app/gstappsink.h>
#include <gst/webrtc/webrtc.h>

#include "core/log.hpp"
#include "transport/webrtc/microphone_player.hpp"
#include "transport/webrtc/peer_session.hpp"

namespace framewire::transport::webrtc {
namespace {

struct IncomingCtx {
  std::string peer;
  std::shared_ptr<MicrophonePlayer> microphone;  // null: this peer may not speak
  std::string encoding;  // the planned audio codec, for a pad whose caps do not say
};

const char* depayloaderFor(const std::string& encoding) {
  if (encoding == "OPUS") return "rtpopusdepay";
  if (encoding == "PCMU") return "rtppcmudepay";
  if (encoding == "PCMA") return "rtppcmadepay";
  if (encoding == "G722") return "rtpg722depay";
  return nullptr;
}

GstFlowReturn onMicrophoneSample(GstAppSink* sink, gpointer data) {
  const auto* ctx = static_cast<const IncomingCtx*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_OK;
  if (GstBuffer* buffer = gst_sample_get_buffer(sample)) {
    ctx->microphone->push(ctx->peer, gst_buffer_ref(buffer), gst_sample_get_caps(sample));
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

// Adds `elements` to the pipeline, links them in order after `pad` and starts them.
bool linkChain(GstElement* pipeline, GstPad* pad, std::initializer_list<GstElement*> elements) {
  for (auto* e : elements) {
    if (!e) {
      for (auto* other : elements) {
        if (other) gst_object_unref(gst_object_ref_sink(other));
      }
      return false;
    }
  }
  GstElement* previous = nullptr;
  for (auto* e : elements) {
    gst_bin_add(GST_BIN(pipeline), e);
    if (previous) gst_element_link(previous, e);
    previous = e;
  }
  for (auto it = std::rbegin(elements); it != std::rend(elements); ++it) {
    gst_element_sync_state_with_parent(*it);
  }
  PadRef sink_pad(gst_element_get_static_pad(*elements.begin(), "sink"));
  return gst_pad_link(pad, sink_pad.get()) == GST_PAD_LINK_OK;
}

void onPadAdded(GstElement* webrtcbin, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  const auto* ctx = static_cast<const IncomingCtx*>(data);
  ElementRef pipeline(GST_ELEMENT(gst_element_get_parent(webrtcbin)));
  if (!pipeline) return;
  CapsRef caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  std::string media;
  std::string encoding;
  if (caps && gst_caps_get_size(caps.get()) > 0) {
    const GstStructure* s = gst_caps_get_structure(caps.get(), 0);
    if (const char* m = gst_structure_get_string(s, "media")) media = m;
    if (const char* e = gst_structure_get_string(s, "encoding-name")) encoding = e;
  }
  if (encoding.empty() && media != "video") {
    media = "audio";
    encoding = ctx->encoding;
  }
  const char* depay_name = depayloaderFor(encoding);
  if (ctx->microphone && media == "audio" && depay_name) {
    GstElement* depay = gst_element_factory_make(depay_name, nullptr);
    GstElement* sink = gst_element_factory_make("appsink", nullptr);
    if (sink) {
      g_object_set(sink, "sync", FALSE, "async", FALSE, "max-buffers", 20u, "drop", TRUE,
                   "enable-last-sample", FALSE, nullptr);
      GstAppSinkCallbacks callbacks{};
      callbacks.new_sample = onMicrophoneSample;
      gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, new IncomingCtx(*ctx),
                                 [](gpointer p) { delete static_cast<IncomingCtx*>(p); });
    }
    if (linkChain(pipeline.get(), pad, {depay, sink})) {
      spdlog::info("webrtc {}: the viewer's microphone arrives ({})", ctx->peer, encoding);
      return;
    }
    spdlog::warn("webrtc {}: cannot take the viewer's microphone ({} missing?); ignoring it",
                 ctx->peer, depay_name);
  }
  GstElement* fake = gst_element_factory_make("fakesink", nullptr);
  if (fake) g_object_set(fake, "sync", FALSE, "async", FALSE, nullptr);
  if (!linkChain(pipeline.get(), pad, {fake})) {
    spdlog::warn("webrtc {}: cannot drain an incoming {} stream", ctx->peer, media);
  } else {
    spdlog::debug("webrtc {}: ignoring an incoming {} {} stream", ctx->peer, media, encoding);
  }
}

}  // namespace

// Opus from the viewer with nothing sent back (audio-source none): a receive-only transceiver.
bool PeerSession::buildReceiveOnlyAudio(std::string* error) {
  const AudioChoice& choice = *params_.plan.audio;
  CapsRef caps(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                   "encoding-name", G_TYPE_STRING, choice.codec.encoding.c_str(),
                                   "clock-rate", G_TYPE_INT, choice.codec.clock_rate, "payload",
                                   G_TYPE_INT, choice.payload_type, nullptr));
  GstWebRTCRTPTransceiver* transceiver = nullptr;
  g_signal_emit_by_name(webrtcbin_, "add-transceiver",
                        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps.get(), &transceiver);
  if (!transceiver) {
    *error = "webrtcbin refused a receive-only audio transceiver";
    return false;
  }
  gst_object_unref(transceiver);
  return true;
}

void PeerSession::watchIncomingStreams() {
  auto* ctx = new IncomingCtx{params_.id, params_.microphone,
                              params_.plan.audio ? params_.plan.audio->codec.encoding : ""};
  g_signal_connect_data(webrtcbin_, "pad-added", G_CALLBACK(onPadAdded), ctx,
                        [](gpointer p, GClosure*) { delete static_cast<IncomingCtx*>(p); },
                        GConnectFlags(0));
}

}  // namespace framewire::transport::webrtc
