#include "transport/webrtc/peer_session.hpp"

#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <cstdlib>
#include <string_view>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "transport/webrtc/ice_setup.hpp"
#include "transport/webrtc/microphone_player.hpp"
#include "transport/webrtc/capture_time_probe.hpp"
#include "transport/webrtc/playout_delay_probe.hpp"
#include "transport/webrtc/send_path.hpp"
#include "transport/webrtc/test_loss_probe.hpp"

namespace framewire::transport::webrtc {
namespace {

using Weak = std::weak_ptr<PeerSession>;

// Host candidates arrive together; this long after the first, the rest are in.
constexpr int kHostCandidatesSettleMs = 10;

// Heap-held state of a C callback: the peer (weak, so a callback never keeps it alive) and the
// executor to post to. Owned by the signal closure / probe / sync handler (freed by them).
struct CallbackCtx {
  Weak peer;
  SerialExecutor* control;
};

void freeCtx(gpointer data, GClosure*) { delete static_cast<CallbackCtx*>(data); }
void freeCtxNotify(gpointer data) { delete static_cast<CallbackCtx*>(data); }

// Posts `fn(peer)` to the control executor if the peer still exists when it runs.
template <typename Fn>
void postToPeer(const CallbackCtx* ctx, Fn fn) {
  ctx->control->post([peer = ctx->peer, fn = std::move(fn)]() mutable {
    if (auto self = peer.lock()) fn(*self);
  });
}

std::string errorFromReply(const GstStructure* reply, const char* what) {
  if (!reply) return std::string(what) + ": no reply from webrtcbin";
  GError* error = nullptr;
  if (gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr) && error) {
    std::string message = std::string(what) + ": " + error->message;
    g_error_free(error);
    return message;
  }
  return {};
}

// Waits for a webrtcbin promise. webrtcbin answers from its own thread within milliseconds;
// the wait is on the control executor, where nothing webrtcbin needs is ever queued.
StructureRef waitPromise(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return nullptr;
  const GstStructure* reply = gst_promise_get_reply(promise);
  return StructureRef(reply ? gst_structure_copy(reply) : gst_structure_new_empty("empty"));
}

std::string sdpText(const GstWebRTCSessionDescription* description) {
  if (!description || !description->sdp) return {};
  CharRef text(gst_sdp_message_as_text(description->sdp));
  return text ? std::string(text.get()) : std::string();
}

// `ssrc` is the payloader's: webrtcbin writes the answer's a=ssrc / a=ssrc-group:FID lines from
// these caps. Without it the answer announces SSRC 0, and Chromium then treats the real stream
// as unsignalled: it decodes the frames but never hands them to the receiver's track, so the
// <video> stays black.
CapsRef codecPreferences(const H264Choice& codec, guint ssrc) {
  GstCaps* caps = gst_caps_new_simple(
      "application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
      codec.encoding.c_str(),
      "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, codec.payload_type, "ssrc",
      G_TYPE_UINT, ssrc, nullptr);
  GstStructure* s = gst_caps_get_structure(caps, 0);
  for (const auto& [key, value] : parseFmtp(codec.fmtp)) {
    // Left out: rtph264pay would turn it into a profile and level restriction on its input
    // and refuse a stream whose level is above the client's (level asymmetry is allowed, and
    // a compatible profile was already chosen). The answer carries the client's fmtp as is.
    if (key == "profile-level-id") continue;
    gst_structure_set(s, key.c_str(), G_TYPE_STRING, value.c_str(), nullptr);
  }
  for (const auto& fb : codec.rtcp_fbs) {
    if (fb == "nack") gst_structure_set(s, "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE, nullptr);
    if (fb == "nack pli") gst_structure_set(s, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, nullptr);
    if (fb == "ccm fir") gst_structure_set(s, "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE, nullptr);
  }
  return CapsRef(caps);
}

const char* payloaderFor(const std::string& encoding) { return rtpPayloaderFor(encoding); }

// The appsrc caps of a branch's codec (answer_plan's encoding names).
const char* appsrcCapsFor(const std::string& encoding) {
  if (encoding == "VP8") return "video/x-vp8";
  if (encoding == "VP9") return "video/x-vp9";
  if (encoding == "AV1") return "video/x-av1,stream-format=obu-stream,alignment=tu";
  return "video/x-h264,stream-format=byte-stream,alignment=au";
}

// webrtcbin's RTP nicesink keeps GstBaseSink's sync=true (only the RTCP one is unsynced), so
// it holds each packet until the clock reaches its PTS. Our PTS follow the capture clock,
// anchored on the first frame sent: every later frame that reached the peer faster than that
// first one (usually an IDR, slow to encode) waited out the difference, about 10 ms at 720p60.
// The payloader's timestamps stay capture-based; only the wait goes.
int sendWithoutClockWait(GstElement* webrtcbin) {
  int changed = 0;
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(webrtcbin));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* factory = gst_element_get_factory(element);
    if (factory && g_strcmp0(GST_OBJECT_NAME(factory), "nicesink") == 0) {
      gboolean sync = FALSE;
      g_object_get(element, "sync", &sync, nullptr);
      if (sync) {
        g_object_set(element, "sync", FALSE, nullptr);
        ++changed;
      }
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return changed;
}

// FRAMEWIRE_BENCH_SINK_SYNC=1 keeps webrtcbin's clock wait: bench/latency.mjs uses it to show
// what the wait cost (bench/README.md). Not a setting: nobody wants it otherwise.
bool keepSinkSync() {
  static const bool keep = [] {
    const char* v = std::getenv("FRAMEWIRE_BENCH_SINK_SYNC");
    return v != nullptr && std::string_view(v) == "1";
  }();
  return keep;
}

}  // namespace

const char* rtpPayloaderFor(const std::string& encoding) {
  if (encoding == "VP8") return "rtpvp8pay";
  if (encoding == "VP9") return "rtpvp9pay";
  if (encoding == "AV1") return "rtpav1pay";
  return "rtph264pay";
}

PeerSession::PeerSession(PeerParams params, SerialExecutor& control, SerialExecutor& feed,
                         DeadFn on_dead)
    : params_(std::move(params)),
      control_(control),
      feed_(feed),
      on_dead_(std::move(on_dead)),
      created_us_(core::steadyMicros()) {
  bus_.store(params_.bus);
}

PeerSession::~PeerSession() {
  // close() normally ran on the control executor; this is the safety net (pipeline to NULL
  // from a non-streaming thread is fine).
  if (currentBus() && subscription_) currentBus()->unsubscribe(subscription_);
  if (pending_bus_ && pending_) pending_bus_->unsubscribe(pending_);
  if (params_.audio_bus && audio_subscription_) params_.audio_bus->unsubscribe(audio_subscription_);
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

void PeerSession::start(AnsweredFn answered) {
  answered_ = std::move(answered);
  std::string error;
  const auto t0 = core::steadyMicros();
  if (!buildPipeline(&error)) {
    fail(error);
    return;
  }
  const auto t1 = core::steadyMicros();
  if (!negotiate(&error)) {
    fail(error);
    return;
  }
  spdlog::debug("webrtc {}: pipeline built in {} ms, negotiated in {} ms", params_.id,
                (t1 - t0) / 1000, (core::steadyMicros() - t1) / 1000);
  // The transports (and their sinks) exist once both descriptions are set.
  if (!keepSinkSync()) sendWithoutClockWait(webrtcbin_);
  state_ = "gathering";
  // Answer with what was gathered by then, even if gathering never completes (an
  // unreachable STUN/TURN server would otherwise hold the POST).
  control_.postAfter(std::chrono::milliseconds(params_.config.gather_timeout_ms),
                     [weak = weak_from_this()] {
                       if (auto self = weak.lock()) self->finishAnswer();
                     });
}

bool PeerSession::buildPipeline(std::string* error) {
  pipeline_.reset(static_cast<GstElement*>(
      gst_object_ref_sink(gst_pipeline_new(("whep-" + params_.id.substr(0, 8)).c_str()))));
  appsrc_ = gst_element_factory_make("appsrc", "src");
  const auto& encoding = params_.plan.codec.encoding;
  GstElement* pay = gst_element_factory_make(payloaderFor(encoding), "pay");
  webrtcbin_ = gst_element_factory_make("webrtcbin", "webrtc");
  if (!appsrc_ || !pay || !webrtcbin_) {
    *error = std::string("a GStreamer element is missing (appsrc, ") + payloaderFor(encoding) +
             " or webrtcbin)";
    for (auto* e : {appsrc_, pay, webrtcbin_}) {
      if (e) gst_object_unref(gst_object_ref_sink(e));
    }
    appsrc_ = webrtcbin_ = nullptr;
    return false;
  }
  gst_bin_add_many(GST_BIN(pipeline_.get()), appsrc_, pay, webrtcbin_, nullptr);

  CapsRef caps(gst_caps_from_string(appsrcCapsFor(encoding)));
  g_object_set(appsrc_, "caps", caps.get(), "is-live", TRUE, "format", GST_FORMAT_TIME,
               "do-timestamp", FALSE, "block", FALSE, nullptr);
  // config-interval -1: SPS/PPS with every IDR; zero-latency: send each AU as soon as it is in.
  // 1200 bytes leaves room for SRTP, TURN and VPN overheads.
  const guint ssrc = g_random_int_range(1, G_MAXINT32);
  g_object_set(pay, "pt", params_.plan.codec.payload_type, "mtu", 1200u, "ssrc", ssrc, nullptr);
  if (encoding == "H264") {
    g_object_set(pay, "config-interval", -1, nullptr);
    gst_util_set_object_arg(G_OBJECT(pay), "aggregate-mode", "zero-latency");
  } else {
    // A picture id lets the browser tell a lost frame from a late one (15 bits, as libwebrtc).
    gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
  }
  // Zero playout delay: Chromium renders each frame as soon as it is decoded.
  if (params_.plan.playout_delay_id) addPlayoutDelayProbe(pay, *params_.plan.playout_delay_id, 0, 0);
  // Each packet's capture time: the page's A/V offset (docs/protocol.md "Sound and picture").
  if (params_.plan.abs_capture_time_id) {
    video_capture_times_ = std::make_shared<CaptureTimes>();
    addCaptureTimeProbe(pay, *params_.plan.abs_capture_time_id, video_capture_times_);
  }
  if (const double loss = addTestLossProbe(pay); loss > 0) {
    spdlog::warn("webrtc {}: TEST ONLY: dropping {:.0f} % of outgoing video RTP", params_.id,
                 loss * 100);
  }
  gst_util_set_object_arg(G_OBJECT(webrtcbin_), "bundle-policy", "max-bundle");
  g_object_set(webrtcbin_, "latency", 0u, nullptr);
  for (const auto& warning : configureIce(webrtcbin_, params_.config)) {
    spdlog::warn("webrtc {}: {}", params_.id, warning);
  }
  GstWebRTCRTPTransceiver* transceiver =
      linkSendPath(appsrc_, pay, webrtcbin_, payloaderFor(encoding), error);
  if (!transceiver) return false;
  auto prefs = codecPreferences(params_.plan.codec, ssrc);
  g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
               "codec-preferences", prefs.get(), "do-nack", TRUE, "fec-type",
               GST_WEBRTC_FEC_TYPE_NONE, nullptr);
  gst_object_unref(transceiver);
  if (params_.plan.audio && !buildAudio(error)) return false;
  watchIncomingStreams();

  connectSignals(this);
  return gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE ||
         (*error = "the peer pipeline failed to start", false);
}

void PeerSession::connectSignals(PeerSession* self) {
  auto ctx = [self] { return new CallbackCtx{self->weak_from_this(), &self->control_}; };

  g_signal_connect_data(self->webrtcbin_, "on-ice-candidate",
                        G_CALLBACK(+[](GstElement*, guint mline, gchar* candidate, gpointer data) {
                          postToPeer(static_cast<CallbackCtx*>(data),
                                     [mline, c = std::string(candidate ? candidate : "")](
                                         PeerSession& p) { p.onIceCandidate(mline, c); });
                        }),
                        ctx(), freeCtx, GConnectFlags(0));
  g_signal_connect_data(self->webrtcbin_, "notify::ice-gathering-state",
                        G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
                          postToPeer(static_cast<CallbackCtx*>(data),
                                     [](PeerSession& p) { p.onGatheringState(); });
                        }),
                        ctx(), freeCtx, GConnectFlags(0));
  g_signal_connect_data(self->webrtcbin_, "notify::ice-connection-state",
                        G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
                          postToPeer(static_cast<CallbackCtx*>(data),
                                     [](PeerSession& p) { p.onIceConnectionState(); });
                        }),
                        ctx(), freeCtx, GConnectFlags(0));
  g_signal_connect_data(self->webrtcbin_, "notify::connection-state",
                        G_CALLBACK(+[](GstElement*, GParamSpec*, gpointer data) {
                          postToPeer(static_cast<CallbackCtx*>(data),
                                     [](PeerSession& p) { p.onConnectionState(); });
                        }),
                        ctx(), freeCtx, GConnectFlags(0));

  // RTCP from the client (receiver reports): rtpbin reports the sending SSRC as active.
  if (GstElement* rtpbin = gst_bin_get_by_name(GST_BIN(self->webrtcbin_), "rtpbin")) {
    g_signal_connect_data(
        rtpbin, "on-ssrc-active", G_CALLBACK(+[](GstElement*, guint, guint, gpointer data) {
          postToPeer(static_cast<CallbackCtx*>(data),
                     [](PeerSession& p) { p.last_rtcp_us_ = core::steadyMicros(); });
        }),
        ctx(), freeCtx, GConnectFlags(0));
    gst_object_unref(rtpbin);
  }

  // PLI / FIR: rtpbin turns them into upstream force-key-unit events, which the payloader
  // passes on to appsrc. They become keyframe requests through the bus's coalescing gate.
  PadRef src_pad(gst_element_get_static_pad(self->appsrc_, "src"));
  gst_pad_add_probe(
      src_pad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      +[](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (event && gst_video_event_is_force_key_unit(event)) {
          postToPeer(static_cast<CallbackCtx*>(data),
                     [](PeerSession& p) { p.onKeyframeRequest(); });
        }
        return GST_PAD_PROBE_OK;
      },
      ctx(), freeCtxNotify);

  BusRef bus(gst_element_get_bus(self->pipeline_.get()));
  gst_bus_set_sync_handler(
      bus.get(),
      +[](GstBus*, GstMessage* message, gpointer data) -> GstBusSyncReply {
        if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
          GError* error = nullptr;
          gst_message_parse_error(message, &error, nullptr);
          std::string text = error ? error->message : "unknown error";
          if (error) g_error_free(error);
          postToPeer(static_cast<CallbackCtx*>(data),
                     [text](PeerSession& p) { p.onPipelineError(text); });
        }
        // Nobody pops this bus. A sync handler that drops a message must unref it (it holds
        // a ref on its source: keeping it would keep the whole pipeline alive).
        gst_message_unref(message);
        return GST_BUS_DROP;
      },
      ctx(), freeCtxNotify);
}

bool PeerSession::negotiate(std::string* error) {
  const auto offer_text = agentOffer(params_.offer, params_.plan);
  GstSDPMessage* sdp = nullptr;
  gst_sdp_message_new_from_text(offer_text.c_str(), &sdp);
  if (!sdp) {
    *error = "GStreamer cannot parse the offer";
    return false;
  }
  SessionDescriptionRef offer(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp));
  {
    PromiseRef promise(gst_promise_new());
    g_signal_emit_by_name(webrtcbin_, "set-remote-description", offer.get(), promise.get());
    auto reply = waitPromise(promise.get());
    if (auto e = errorFromReply(reply.get(), "set-remote-description"); !e.empty()) {
      *error = e;
      return false;
    }
  }
  SessionDescriptionRef answer;
  {
    PromiseRef promise(gst_promise_new());
    g_signal_emit_by_name(webrtcbin_, "create-answer", nullptr, promise.get());
    auto reply = waitPromise(promise.get());
    if (auto e = errorFromReply(reply.get(), "create-answer"); !e.empty()) {
      *error = e;
      return false;
    }
    GstWebRTCSessionDescription* raw = nullptr;
    gst_structure_get(reply.get(), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &raw, nullptr);
    answer.reset(raw);
    if (!answer) {
      *error = "webrtcbin created no answer";
      return false;
    }
  }
  {
    PromiseRef promise(gst_promise_new());
    g_signal_emit_by_name(webrtcbin_, "set-local-description", answer.get(), promise.get());
    auto reply = waitPromise(promise.get());
    if (auto e = errorFromReply(reply.get(), "set-local-description"); !e.empty()) {
      *error = e;
      return false;
    }
  }
  return true;
}

void PeerSession::onIceCandidate(unsigned, std::string candidate) {
  if (candidate.empty()) return;
  local_candidates_.push_back(std::move(candidate));
  // Without STUN or TURN servers every candidate is a host candidate, and libnice finds them
  // all in one go; its "gathering complete" still comes about 200 ms later, which every
  // viewer would wait out before its answer. Answer shortly after the first one instead.
  if (local_candidates_.size() == 1 && params_.config.ice_servers.empty()) {
    control_.postAfter(std::chrono::milliseconds(kHostCandidatesSettleMs),
                       [weak = weak_from_this()] {
                         if (auto self = weak.lock()) self->finishAnswer();
                       });
  }
}

void PeerSession::onGatheringState() {
  if (!webrtcbin_ || closed_) return;
  GstWebRTCICEGatheringState state;
  g_object_get(webrtcbin_, "ice-gathering-state", &state, nullptr);
  // on-ice-candidate callbacks were posted before this one, so every candidate is in.
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) finishAnswer();
}

void PeerSession::finishAnswer() {
  if (answer_sent_ || closed_) return;
  answer_sent_ = true;
  spdlog::debug("webrtc {}: {} local candidates {} ms after the offer", params_.id,
                local_candidates_.size(), (core::steadyMicros() - created_us_) / 1000);
  GstWebRTCSessionDescription* local = nullptr;
  g_object_get(webrtcbin_, "local-description", &local, nullptr);
  SessionDescriptionRef local_ref(local);
  GstWebRTCICEGatheringState gathering;
  g_object_get(webrtcbin_, "ice-gathering-state", &gathering, nullptr);

  auto parsed = parseSdp(sdpText(local));
  std::string error;
  std::optional<std::string> answer;
  if (!parsed.description) {
    error = "cannot read webrtcbin's answer: " + parsed.error;
  } else {
    AnswerExtras extras;
    extras.candidates = local_candidates_;
    extras.gathering_complete = gathering == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
    extras.announced_address = params_.config.announced_address;
    extras.keep_host_candidates = params_.config.keep_host_candidates;
    answer = finalAnswer(params_.offer, params_.plan, *parsed.description, extras, &error);
  }
  if (state_ == "gathering") state_ = "connecting";
  auto answered = std::move(answered_);
  answered_ = nullptr;
  if (answered) answered(std::move(answer), error);
  // Subscribe now: the keyframe this viewer starts with is encoded while ICE and DTLS
  // connect, instead of being asked for once they have. drain() holds frames until then.
  if (error.empty()) subscribe();
}

void PeerSession::onIceConnectionState() {
  if (!webrtcbin_ || closed_) return;
  GstWebRTCICEConnectionState state;
  g_object_get(webrtcbin_, "ice-connection-state", &state, nullptr);
  switch (state) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
      fail("ICE failed");
      break;
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
      if (disconnected_since_us_ == 0) disconnected_since_us_ = core::steadyMicros();
      if (state_ == "connected") state_ = "disconnected";
      break;
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
      disconnected_since_us_ = 0;
      if (state_ == "disconnected") state_ = "connected";
      break;
    default:
      break;
  }
}

void PeerSession::onConnectionState() {
  if (!webrtcbin_ || closed_) return;
  GstWebRTCPeerConnectionState state;
  g_object_get(webrtcbin_, "connection-state", &state, nullptr);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    if (connected_at_us_ == 0) {
      connected_at_us_ = core::steadyMicros();
      last_rtcp_us_ = connected_at_us_;
      spdlog::info("webrtc {}: connected ({} ms after the offer)", params_.id,
                   (connected_at_us_ - created_us_) / 1000);
    }
    state_ = "connected";
    if (!keepSinkSync() && sendWithoutClockWait(webrtcbin_) > 0) {
      spdlog::debug("webrtc {}: a nicesink appeared after negotiation; unsynced", params_.id);
    }
    // The transport's sink appeared after the pipeline went to PLAYING, so it missed the
    // pipeline's latency distribution; rtpsession needs it to timestamp its sender reports.
    gst_bin_recalculate_latency(GST_BIN(pipeline_.get()));
    sending_.store(true, std::memory_order_release);
    subscribe();  // normally done at the answer already
    // What waited in the mailbox (starting with its keyframe) goes out now.
    feed_.post([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->drain();
    });
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    fail("connection failed (DTLS)");
  }
}

void PeerSession::onKeyframeRequest() {
  if (closed_) return;
  ++keyframe_requests_;
  if (auto* bus = currentBus()) bus->requestKeyframe();
}

void PeerSession::onPipelineError(std::string message) { fail("pipeline error: " + message); }

bool PeerSession::addRemoteCandidates(const TrickleFragment& fragment, std::string* error) {
  if (closed_ || !webrtcbin_) {
    *error = "the session is closed";
    return false;
  }
  for (const auto& c : fragment.candidates) {
    if (isMdnsCandidate(c.candidate)) continue;  // cannot be resolved here; prflx covers it
    // max-bundle: every candidate belongs to the one transport (m-line 0 of webrtcbin's view).
    g_signal_emit_by_name(webrtcbin_, "add-ice-candidate", 0u, c.candidate.c_str());
  }
  return true;
}

void PeerSession::poll() {
  if (closed_ || !webrtcbin_) return;
  PromiseRef promise(gst_promise_new());
  g_signal_emit_by_name(webrtcbin_, "get-stats", nullptr, promise.get());
  if (auto reply = waitPromise(promise.get())) stats_ = readPeerStats(reply.get());

  const auto now = core::steadyMicros();
  const auto& c = params_.config;
  if (connected_at_us_ == 0 && answer_sent_ && now - created_us_ > c.connect_timeout_ms * 1000LL) {
    fail("never connected (" + std::to_string(c.connect_timeout_ms) + " ms)");
  } else if (disconnected_since_us_ > 0 &&
             now - disconnected_since_us_ > c.disconnect_timeout_ms * 1000LL) {
    fail("ICE disconnected for more than " + std::to_string(c.disconnect_timeout_ms) + " ms");
  } else if (connected_at_us_ > 0 && now - last_rtcp_us_ > c.rtcp_timeout_ms * 1000LL) {
    fail("no RTCP from the client for " + std::to_string(c.rtcp_timeout_ms) + " ms");
  }
}

void PeerSession::fail(const std::string& reason) {
  if (closed_) return;
  spdlog::info("webrtc {}: {}", params_.id, reason);
  if (!answer_sent_ && answered_) {
    answer_sent_ = true;
    auto answered = std::move(answered_);
    answered_ = nullptr;
    answered(std::nullopt, reason);
  }
  if (on_dead_) on_dead_(reason);
}

void PeerSession::close() {
  if (closed_) return;
  closed_ = true;
  state_ = "closed";
  {
    std::lock_guard lock(switch_mutex_);
    if (subscription_) {
      currentBus()->unsubscribe(subscription_);
      std::atomic_store(&subscription_, std::shared_ptr<bus::Subscription>());
    }
    if (pending_) {
      pending_bus_->unsubscribe(pending_);
      pending_.reset();
    }
  }
  if (audio_subscription_) {
    params_.audio_bus->unsubscribe(audio_subscription_);
    std::atomic_store(&audio_subscription_, std::shared_ptr<bus::Subscription>());
  }
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  if (params_.microphone) params_.microphone->release(params_.id);
}

}  // namespace framewire::transport::webrtc
