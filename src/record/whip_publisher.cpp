#include "record/whip_publisher.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>

#include "core/clock.hpp"
#include "core/h264_info.hpp"
#include "core/log.hpp"
#include "media/gst_ptr.hpp"
#include "record/feed_thread.hpp"
#include "record/http_client.hpp"
#include "record/push_pipeline.hpp"

namespace framewire::record {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// No capsfilter between the payloader and webrtcbin: one with a fixed profile-level-id refuses
// every stream whose SPS says otherwise (not-negotiated). The offer's codec comes from the
// transceiver's codec preferences, with the stream's own profile-level-id.
constexpr const char* kTail =
    "h264parse ! rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=96 mtu=1200 ! "
    "webrtcbin name=webrtc bundle-policy=max-bundle";

// "42e01f" from the stream's latest SPS ("avc1.42E01F"), else constrained baseline 3.1.
std::string profileLevelId(bus::FrameBus& bus) {
  if (auto keyframe = bus.lastKeyframe()) {
    if (auto text = core::h264CodecString(keyframe->bytes()); text && text->size() == 11) {
      std::string hex = text->substr(5);
      for (auto& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return hex;
    }
  }
  return "42e01f";
}

// Waits for a webrtcbin promise (it answers from its own thread within milliseconds).
const GstStructure* waitPromise(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return nullptr;
  return gst_promise_get_reply(promise);
}

std::string isoNow() {
  const auto us = core::wallClockMicros();
  const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A URL's query may hold a secret (some ingests take the key there): never shown.
std::string hideQuery(const std::string& url) {
  const auto query = url.find('?');
  return query == std::string::npos ? url : url.substr(0, query) + "?***";
}

// Why a WHIP endpoint refused the offer, for events and /api/state.
std::string refusal(const HttpResult& reply) {
  const std::string body = reply.body.empty() ? "" : ": " + reply.body.substr(0, 200);
  if (reply.status == 401 || reply.status == 403) {
    return "the WHIP endpoint refused the bearer token (" + std::to_string(reply.status) + ")" +
           body;
  }
  return "the WHIP endpoint answered " + std::to_string(reply.status) + body;
}

// The receiver's RTCP reports keep this fresh (rtpbin's on-ssrc-active).
void onSsrcActive(GstElement*, guint, guint, gpointer data) {
  static_cast<std::atomic<std::int64_t>*>(data)->store(core::steadyMicros());
}

GstPadProbeReturn onUpstreamEvent(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (event && gst_video_event_is_force_key_unit(event)) {
    static_cast<bus::FrameBus*>(data)->requestKeyframe();  // a PLI or FIR from the receiver
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

class WhipPublisher::Feed {
 public:
  Feed(bus::FrameBus& bus, std::string endpoint, std::string token, double retry_max_s,
       EventSink events)
      : bus_(bus),
        endpoint_(std::move(endpoint)),
        shown_(hideQuery(endpoint_)),
        token_(std::move(token)),
        retry_max_us_(static_cast<std::int64_t>(retry_max_s * 1e6)),
        events_(std::move(events)) {
    events_(json{{"type", "whip_started"}, {"endpoint", shown_}, {"branch", bus_.name()}});
    FeedThread::Handlers handlers;
    handlers.on_frame = [this](const core::FramePtr& frame) { return onFrame(frame); };
    handlers.on_tick = [this] { return onTick(); };
    handlers.on_exit = [this] { onExit(); };
    thread_ = std::make_unique<FeedThread>(bus_, 120, 200, std::move(handlers));
    thread_->start();
  }

  void stop() { thread_->stop(); }

  json state() const {
    std::lock_guard lock(mutex_);
    return json{{"endpoint", shown_}, {"branch", bus_.name()}, {"state", state_},
                {"resource", hideQuery(resource_)}, {"since", since_},       {"frames", frames_},
                {"bytes", bytes_},       {"republishes", republishes_},
                {"last_error", last_error_}};
  }

 private:
  bool onFrame(const core::FramePtr& frame) {
    if (!pipeline_ || frame->codec != core::Codec::kH264) return true;
    if (waiting_for_keyframe_) {
      if (!frame->keyframe) return true;
      waiting_for_keyframe_ = false;
    }
    const auto result = pipeline_->push(frame, frame->pts_ns);
    if (result == PushPipeline::Push::kFailed) {
      lose(pipeline_->takeError().value_or("the pipeline refused a frame"));
      return true;
    }
    if (result == PushPipeline::Push::kQueueFull) {
      waiting_for_keyframe_ = true;
      bus_.requestKeyframe();
      return true;
    }
    std::lock_guard lock(mutex_);
    ++frames_;
    bytes_ += frame->size;
    return true;
  }

  bool onTick() {
    const auto now = core::steadyMicros();
    if (!pipeline_) {
      if (now >= next_attempt_us_) publish();
      return true;
    }
    if (auto error = pipeline_->takeError()) {
      lose(*error);
      return true;
    }
    GstWebRTCPeerConnectionState pc = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
    g_object_get(webrtc_, "connection-state", &pc, nullptr);
    if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
      disconnected_since_us_ = 0;
      // A receiver that vanished (killed, unplugged) often leaves ICE "connected": its RTCP
      // reports stop at once (they come every 5 s or so).
      if (connected_ && now - std::max(last_rtcp_us_.load(), connected_at_us_) > kRtcpTimeoutUs) {
        lose("no RTCP from the receiver for " + std::to_string(kRtcpTimeoutUs / 1'000'000) +
             " s");
        return true;
      }
      if (!connected_) {
        connected_ = true;
        connected_at_us_ = now;
        backoff_us_ = 0;
        bus_.requestKeyframe();
        {
          std::lock_guard lock(mutex_);
          state_ = "live";
          since_ = isoNow();
        }
        spdlog::info("WHIP publish to {} connected", shown_);
        events_(json{{"type", "whip_connected"}, {"endpoint", shown_}, {"branch", bus_.name()}});
      }
    } else if (pc == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
               pc == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) {
      lose("the peer connection failed");
    } else if (connected_) {
      if (disconnected_since_us_ == 0) disconnected_since_us_ = now;
      if (now - disconnected_since_us_ > 5'000'000) lose("the peer connection was lost");
    } else if (now - published_us_ > 20'000'000) {
      lose("the peer connection did not connect within 20 s");
    }
    return true;
  }

  void onExit() {
    teardown();
    {
      std::lock_guard lock(mutex_);
      state_ = "stopped";
      since_ = isoNow();
    }
    spdlog::info("WHIP publish to {} stopped", shown_);
    events_(json{{"type", "whip_stopped"}, {"endpoint", shown_}, {"branch", bus_.name()},
                 {"frames", frames_}, {"republishes", republishes_}});
  }

  // Builds the pipeline, makes the offer (with every candidate), POSTs it, applies the answer.
  void publish() {
    try {
      pipeline_ = std::make_unique<PushPipeline>(kTail, std::map<std::string, std::string>{},
                                                 8u << 20);
      webrtc_ = static_cast<GstElement*>(pipeline_->element("webrtc"));
      auto* src = static_cast<GstElement*>(pipeline_->element("src"));
      media::GstPtr<GstPad> src_pad(gst_element_get_static_pad(src, "src"));
      gst_pad_add_probe(src_pad.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, onUpstreamEvent, &bus_,
                        nullptr);
      last_rtcp_us_ = 0;
      if (GstElement* rtpbin = gst_bin_get_by_name(GST_BIN(webrtc_), "rtpbin")) {
        g_signal_connect(rtpbin, "on-ssrc-active", G_CALLBACK(onSsrcActive), &last_rtcp_us_);
        gst_object_unref(rtpbin);
      }
      GstWebRTCRTPTransceiver* transceiver = nullptr;
      g_signal_emit_by_name(webrtc_, "get-transceiver", 0, &transceiver);
      if (!transceiver) throw std::runtime_error("webrtcbin made no transceiver");
      media::GstPtr<GstCaps> caps(gst_caps_new_simple(
          "application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
          "H264", "payload", G_TYPE_INT, 96, "clock-rate", G_TYPE_INT, 90000,
          "packetization-mode", G_TYPE_STRING, "1", "profile-level-id", G_TYPE_STRING,
          profileLevelId(bus_).c_str(), nullptr));
      g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                   "codec-preferences", caps.get(), nullptr);
      gst_object_unref(transceiver);

      const std::string offer = makeOffer();
      std::map<std::string, std::string> headers{{"Content-Type", "application/sdp"}};
      if (!token_.empty()) headers["Authorization"] = "Bearer " + token_;
      const auto reply = httpRequest("POST", endpoint_, headers, offer, 10s);
      if (reply.status != 201) throw std::runtime_error(refusal(reply));
      const auto location = reply.headers.find("location");
      if (location == reply.headers.end() || location->second.empty()) {
        throw std::runtime_error("the WHIP endpoint's 201 has no Location");
      }
      {
        std::lock_guard lock(mutex_);
        resource_ = resolveLocation(endpoint_, location->second);
        state_ = "publishing";
        since_ = isoNow();
      }
      applyAnswer(reply.body);
    } catch (const std::exception& e) {
      lose(e.what());
      return;
    }
    connected_ = false;
    disconnected_since_us_ = 0;
    published_us_ = core::steadyMicros();
    waiting_for_keyframe_ = true;
    bus_.requestKeyframe();
    spdlog::info("WHIP publish to {}: session created", shown_);
  }

  std::string makeOffer() {
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
    const GstStructure* reply = waitPromise(promise);
    GstWebRTCSessionDescription* offer = nullptr;
    if (reply) gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
    gst_promise_unref(promise);
    if (!offer) throw std::runtime_error("webrtcbin made no offer");
    promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "set-local-description", offer, promise);
    waitPromise(promise);
    gst_promise_unref(promise);
    gst_webrtc_session_description_free(offer);
    // Every candidate goes into the offer: wait for gathering to complete (bounded).
    for (int i = 0; i < 100; ++i) {
      GstWebRTCICEGatheringState gathering = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
      g_object_get(webrtc_, "ice-gathering-state", &gathering, nullptr);
      if (gathering == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) break;
      std::this_thread::sleep_for(50ms);
    }
    GstWebRTCSessionDescription* local = nullptr;
    g_object_get(webrtc_, "local-description", &local, nullptr);
    if (!local) throw std::runtime_error("webrtcbin has no local description");
    gchar* text = gst_sdp_message_as_text(local->sdp);
    std::string sdp = text ? text : "";
    g_free(text);
    gst_webrtc_session_description_free(local);
    return sdp;
  }

  void applyAnswer(const std::string& answer_text) {
    GstSDPMessage* sdp = nullptr;
    gst_sdp_message_new_from_text(answer_text.c_str(), &sdp);
    if (!sdp) throw std::runtime_error("the WHIP answer is not SDP");
    GstWebRTCSessionDescription* answer =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc_, "set-remote-description", answer, promise);
    const GstStructure* reply = waitPromise(promise);
    std::string error;
    if (reply && gst_structure_has_field(reply, "error")) error = "the answer was refused";
    gst_promise_unref(promise);
    gst_webrtc_session_description_free(answer);
    if (!error.empty()) throw std::runtime_error(error);
  }

  // DELETE the session (best effort) and drop the pipeline.
  void teardown() {
    std::string resource;
    {
      std::lock_guard lock(mutex_);
      resource.swap(resource_);
    }
    if (!resource.empty()) {
      try {
        std::map<std::string, std::string> headers;
        if (!token_.empty()) headers["Authorization"] = "Bearer " + token_;
        httpRequest("DELETE", resource, headers, "", 3s);
      } catch (const std::exception& e) {
        spdlog::warn("WHIP DELETE {}: {}", resource, e.what());
      }
    }
    webrtc_ = nullptr;
    pipeline_.reset();
  }

  void lose(const std::string& reason) {
    teardown();
    backoff_us_ = backoff_us_ == 0 ? 1'000'000 : std::min(backoff_us_ * 2, retry_max_us_);
    next_attempt_us_ = core::steadyMicros() + backoff_us_;
    {
      std::lock_guard lock(mutex_);
      ++republishes_;
      last_error_ = reason;
      state_ = "retrying";
      since_ = isoNow();
    }
    spdlog::warn("WHIP publish to {}: {} (again in {:.0f} s)", shown_, reason,
                 backoff_us_ / 1e6);
    events_(json{{"type", "whip_error"}, {"endpoint", shown_}, {"branch", bus_.name()},
                 {"reason", reason}, {"retry_in_s", backoff_us_ / 1e6}});
  }

  bus::FrameBus& bus_;
  const std::string endpoint_;
  const std::string shown_;  // endpoint_ without its query
  const std::string token_;
  const std::int64_t retry_max_us_;
  const EventSink events_;
  std::unique_ptr<FeedThread> thread_;

  // Feed thread only.
  std::unique_ptr<PushPipeline> pipeline_;
  GstElement* webrtc_ = nullptr;  // owned by the pipeline
  static constexpr std::int64_t kRtcpTimeoutUs = 15'000'000;
  bool connected_ = false;
  std::int64_t connected_at_us_ = 0;
  std::atomic<std::int64_t> last_rtcp_us_{0};  // also written by GStreamer's RTCP thread
  bool waiting_for_keyframe_ = true;
  std::int64_t published_us_ = 0;
  std::int64_t disconnected_since_us_ = 0;
  std::int64_t next_attempt_us_ = 0;
  std::int64_t backoff_us_ = 0;

  mutable std::mutex mutex_;
  std::string state_ = "publishing";
  std::string since_ = isoNow();
  std::string resource_;
  std::uint64_t frames_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t republishes_ = 0;
  std::string last_error_;
};

WhipPublisher::WhipPublisher(bus::FrameBus& bus, std::string endpoint, std::string token,
                             double retry_max_s, EventSink events)
    : endpoint_(std::move(endpoint)),
      feed_(std::make_unique<Feed>(bus, endpoint_, std::move(token), retry_max_s,
                                   std::move(events))) {}

WhipPublisher::~WhipPublisher() { stop(); }

void WhipPublisher::stop() { feed_->stop(); }

json WhipPublisher::state() const { return feed_->state(); }

}  // namespace framewire::record
