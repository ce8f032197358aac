#include "baseline_peer.hpp"

#define GST_USE_UNSTABLE_API  // webrtcbin's headers are "unstable" in 1.22
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "core/clock.hpp"
#include "core/latency_stamp.hpp"

namespace framewire::bench {
namespace {

constexpr size_t kEncodeRing = 1024;

std::int64_t steadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The H.264 payload type to answer with: Chromium offers several; prefer constrained baseline
// (42e01f) with packetization-mode=1, which is what x264 makes here.
int pickPayloadType(const std::string& sdp) {
  std::regex rtpmap(R"(a=rtpmap:(\d+) H264/90000)");
  int fallback = -1;
  for (std::sregex_iterator it(sdp.begin(), sdp.end(), rtpmap), end; it != end; ++it) {
    const std::string pt = (*it)[1];
    std::regex fmtp("a=fmtp:" + pt + " ([^\r\n]*)");
    std::smatch m;
    if (!std::regex_search(sdp, m, fmtp)) continue;
    const std::string params = m[1];
    if (params.find("packetization-mode=1") == std::string::npos) continue;
    if (params.find("profile-level-id=42e01f") != std::string::npos) return std::stoi(pt);
    if (fallback < 0) fallback = std::stoi(pt);
  }
  return fallback;
}

GstStructure* waitReply(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return nullptr;
  const GstStructure* reply = gst_promise_get_reply(promise);
  return reply ? gst_structure_copy(reply) : nullptr;
}

}  // namespace

BaselinePeer::BaselinePeer(const BaselineSettings& settings)
    : settings_(settings), encode_us_(kEncodeRing, -1) {}

BaselinePeer::~BaselinePeer() {
  if (pipeline_) {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
}

GstPadProbeReturn BaselinePeer::onStampProbe(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  GstVideoMeta* meta = gst_buffer_get_video_meta(buffer);
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_WRITE)) return GST_PAD_PROBE_OK;
  // I420 without meta: tightly packed planes at the caps' size (videotestsrc's layout).
  int width = 0, height = 0, stride = 0;
  gsize u_off = 0, v_off = 0;
  int c_stride = 0;
  if (meta) {
    width = meta->width;
    height = meta->height;
    stride = meta->stride[0];
    c_stride = meta->stride[1];
    u_off = meta->offset[1];
    v_off = meta->offset[2];
  } else {
    GstCaps* caps = gst_pad_get_current_caps(pad);
    GstVideoInfo vi;
    if (caps && gst_video_info_from_caps(&vi, caps)) {
      width = GST_VIDEO_INFO_WIDTH(&vi);
      height = GST_VIDEO_INFO_HEIGHT(&vi);
      stride = GST_VIDEO_INFO_PLANE_STRIDE(&vi, 0);
      c_stride = GST_VIDEO_INFO_PLANE_STRIDE(&vi, 1);
      u_off = GST_VIDEO_INFO_PLANE_OFFSET(&vi, 1);
      v_off = GST_VIDEO_INFO_PLANE_OFFSET(&vi, 2);
    }
    if (caps) gst_caps_unref(caps);
  }
  if (width > 0) {
    core::writeLatencyStamp(map.data, stride, width, height, core::wallClockMicros(),
                            map.data + u_off, c_stride, map.data + v_off, c_stride);
  }
  gst_buffer_unmap(buffer, &map);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn BaselinePeer::onEncoderIn(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<BaselinePeer*>(data);
  std::lock_guard lock(self->mutex_);
  ++self->frames_in_;
  if (self->in_flight_.size() > 64) self->in_flight_.erase(self->in_flight_.begin());
  self->in_flight_.emplace_back(GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info)), steadyMicros());
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn BaselinePeer::onEncoderOut(GstPad*, GstPadProbeInfo*, gpointer data) {
  // x264 (zerolatency, no B-frames) gives frames back in input order; GstVideoEncoder shifts
  // output PTS by a fixed offset, so match by order, not by PTS.
  auto* self = static_cast<BaselinePeer*>(data);
  const std::int64_t now = steadyMicros();
  std::lock_guard lock(self->mutex_);
  ++self->frames_out_;
  if (self->in_flight_.empty()) return GST_PAD_PROBE_OK;
  self->encode_us_[self->next_++ % kEncodeRing] = now - self->in_flight_.front().second;
  self->in_flight_.erase(self->in_flight_.begin());
  return GST_PAD_PROBE_OK;
}

std::pair<std::uint64_t, std::uint64_t> BaselinePeer::frameCounts() {
  std::lock_guard lock(mutex_);
  return {frames_in_, frames_out_};
}

std::vector<std::int64_t> BaselinePeer::encodeTimes() {
  std::lock_guard lock(mutex_);
  std::vector<std::int64_t> out;
  for (auto v : encode_us_) {
    if (v >= 0) out.push_back(v);
  }
  return out;
}

std::string BaselinePeer::answer(const std::string& offer_sdp, std::string* error) {
  const int pt = pickPayloadType(offer_sdp);
  if (pt < 0) {
    *error = "the offer has no H.264 with packetization-mode=1";
    return {};
  }
  const unsigned key_int = settings_.gop > 0 ? static_cast<unsigned>(settings_.gop) : 1u << 30;
  std::ostringstream desc;
  // The same picture and encoder settings as framewire's test source and H.264 branch. The
  // overlays must match src/media/test_source.cpp exactly (font, auto-resize): drawing the text
  // is a large part of the source's cost per frame, which both pay on the encoding thread.
  const int font = std::max(12, settings_.height / 24);
  desc << "videotestsrc is-live=true pattern=smpte horizontal-speed=4 "
       << "! video/x-raw,format=I420,width=" << settings_.width << ",height=" << settings_.height
       << ",framerate=" << settings_.fps << "/1,pixel-aspect-ratio=1/1 "
       << "! clockoverlay halignment=right valignment=bottom shaded-background=true "
       << "auto-resize=false time-format=\"%H:%M:%S\" font-desc=\"Sans " << font << "\" "
       << "! timeoverlay name=lastoverlay halignment=left valignment=bottom "
          "shaded-background=true auto-resize=false font-desc=\"Sans "
       << font << "\" "
       << "! x264enc name=encoder tune=zerolatency speed-preset=" << settings_.preset
       << " bitrate=" << settings_.bitrate_kbps << " bframes=0 key-int-max=" << key_int
       << " byte-stream=true "
       << "! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au "
       << "! rtph264pay name=pay config-interval=-1 aggregate-mode=zero-latency mtu=1200 pt=" << pt
       << " ! application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=" << pt
       << ",packetization-mode=(string)1 "
       << "! webrtcbin name=webrtc bundle-policy=max-bundle latency=0";
  GError* parse_error = nullptr;
  pipeline_ = gst_parse_launch(desc.str().c_str(), &parse_error);
  if (!pipeline_) {
    *error = parse_error ? parse_error->message : "cannot build the pipeline";
    if (parse_error) g_error_free(parse_error);
    return {};
  }
  webrtcbin_ = gst_bin_get_by_name(GST_BIN(pipeline_), "webrtc");
  gst_object_unref(webrtcbin_);  // the pipeline keeps it alive

  // The stamp goes on at the same point as in framewire: the frame leaving the source.
  GstElement* overlay = gst_bin_get_by_name(GST_BIN(pipeline_), "lastoverlay");
  GstPad* src = gst_element_get_static_pad(overlay, "src");
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, onStampProbe, nullptr, nullptr);
  gst_object_unref(src);
  gst_object_unref(overlay);
  GstElement* encoder = gst_bin_get_by_name(GST_BIN(pipeline_), "encoder");
  GstPad* enc_in = gst_element_get_static_pad(encoder, "sink");
  GstPad* enc_out = gst_element_get_static_pad(encoder, "src");
  gst_pad_add_probe(enc_in, GST_PAD_PROBE_TYPE_BUFFER, onEncoderIn, this, nullptr);
  gst_pad_add_probe(enc_out, GST_PAD_PROBE_TYPE_BUFFER, onEncoderOut, this, nullptr);
  gst_object_unref(enc_in);
  gst_object_unref(enc_out);
  gst_object_unref(encoder);

  // Host candidates on loopback only (libnice skips loopback unless told to use it).
  GstObject* ice = nullptr;
  g_object_get(webrtcbin_, "ice-agent", &ice, nullptr);
  if (ice) {
    NiceAgent* agent = nullptr;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
      g_object_get(ice, "agent", &agent, nullptr);
    }
    if (agent) {
      NiceAddress* address = nice_address_new();
      nice_address_set_from_string(address, "127.0.0.1");
      nice_agent_add_local_address(agent, address);
      nice_address_free(address);
      g_object_unref(agent);
    }
    gst_object_unref(ice);
  }

  gst_element_set_state(pipeline_, GST_STATE_PLAYING);

  GstSDPMessage* sdp = nullptr;
  gst_sdp_message_new_from_text(offer_sdp.c_str(), &sdp);
  GstWebRTCSessionDescription* offer =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  GstPromise* promise = gst_promise_new();
  g_signal_emit_by_name(webrtcbin_, "set-remote-description", offer, promise);
  if (GstStructure* r = waitReply(promise)) gst_structure_free(r);
  gst_promise_unref(promise);
  gst_webrtc_session_description_free(offer);

  promise = gst_promise_new();
  g_signal_emit_by_name(webrtcbin_, "create-answer", nullptr, promise);
  GstStructure* reply = waitReply(promise);
  gst_promise_unref(promise);
  GstWebRTCSessionDescription* answer = nullptr;
  if (reply)
    gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
  if (reply) gst_structure_free(reply);
  if (!answer) {
    *error = "webrtcbin made no answer";
    return {};
  }
  promise = gst_promise_new();
  g_signal_emit_by_name(webrtcbin_, "set-local-description", answer, promise);
  if (GstStructure* r = waitReply(promise)) gst_structure_free(r);
  gst_promise_unref(promise);
  gst_webrtc_session_description_free(answer);

  // Non-trickle WHEP: answer once the host candidates are in (loopback: milliseconds).
  for (int i = 0; i < 200; ++i) {
    GstWebRTCICEGatheringState state;
    g_object_get(webrtcbin_, "ice-gathering-state", &state, nullptr);
    if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  GstWebRTCSessionDescription* local = nullptr;
  g_object_get(webrtcbin_, "local-description", &local, nullptr);
  if (!local) {
    *error = "webrtcbin has no local description";
    return {};
  }
  gchar* text = gst_sdp_message_as_text(local->sdp);
  std::string out = text;
  g_free(text);
  gst_webrtc_session_description_free(local);
  return out;
}

}  // namespace framewire::bench
