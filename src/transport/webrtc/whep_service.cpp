#include "transport/webrtc/whep_service.hpp"

#include <gst/gst.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <random>

#include "core/clock.hpp"
#include "core/h264_info.hpp"
#include "core/log.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/ice_setup.hpp"
#include "transport/webrtc/microphone_plan.hpp"
#include "transport/webrtc/microphone_player.hpp"
#include "transport/webrtc/peer_session.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"
#include "transport/webrtc/serial_executor.hpp"

namespace framewire::transport::webrtc {
namespace {

// "Application/SDP; charset=utf-8" → "application/sdp".
std::string mediaType(std::string_view content_type) {
  auto end = content_type.find(';');
  auto type = content_type.substr(0, end);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
    type.remove_suffix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
    type.remove_prefix(1);
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string randomHex(std::size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xff);
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

// The stream's profile-level-id from its latest SPS ("avc1.42C01F" → 42c01f), else the
// configured one.
ServerVideoCodec serverCodec(bus::FrameBus& bus, const WebRtcConfig& config) {
  ServerVideoCodec codec;
  codec.profile_level_id =
      parseProfileLevelId(config.h264_profile_level_id).value_or(ProfileLevelId{});
  if (auto keyframe = bus.lastKeyframe()) {
    if (auto text = core::h264CodecString(keyframe->bytes()); text && text->size() == 11) {
      if (auto plid = parseProfileLevelId(text->substr(5))) codec.profile_level_id = *plid;
    }
  }
  return codec;
}

}  // namespace

WhepService::WhepService(WebRtcConfig config, BusLookup buses)
    : WhepService(std::move(config), BranchLookup([buses = std::move(buses)](std::string_view b) {
        const std::string id(b.empty() ? "main" : b);
        bus::FrameBus* bus = buses ? buses(id) : nullptr;
        return bus ? std::vector<Branch>{{id, "H264", bus}} : std::vector<Branch>{};
      })) {}

WhepService::WhepService(WebRtcConfig config, BranchLookup branches)
    : config_(std::move(config)), branches_(std::move(branches)) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  stats_snapshot_ =
      nlohmann::json{{"peers", nlohmann::json::array()}, {"max_peers", config_.max_peers}};
  feed_ = std::make_unique<SerialExecutor>("fw-webrtc-feed");
  control_ = std::make_unique<SerialExecutor>("fw-webrtc-ctl");
  // The DTLS certificate is generated (RSA, ~0.5 s) by the first dtlsdec of the process and
  // shared by all later ones: make it now, so the first viewer does not wait for it.
  control_->post([] {
    if (GstElement* dtls = gst_element_factory_make("dtlsdec", nullptr)) {
      gst_object_unref(gst_object_ref_sink(dtls));
    }
  });
  schedulePoll();
}

WhepService::~WhepService() { stop(); }

void WhepService::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  auto close_all = [this] {
    for (auto& [id, entry] : peers_) entry.peer->close();
    peers_.clear();
  };
  if (control_->onThisThread()) {
    close_all();
  } else {
    std::promise<void> done;
    control_->post([&] {
      close_all();
      done.set_value();
    });
    done.get_future().wait();
  }
  control_->stop();
  feed_->stop();
  if (microphone_) microphone_->stop();
  std::lock_guard lock(mutex_);
  peer_count_ = 0;
  stats_snapshot_["peers"] = nlohmann::json::array();
}

void WhepService::setEventListener(EventListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void WhepService::emit(const nlohmann::json& event) {
  EventListener listener;
  {
    std::lock_guard lock(mutex_);
    listener = listener_;
  }
  if (listener) listener(event);
}

std::size_t WhepService::peerCount() const {
  std::lock_guard lock(mutex_);
  return peer_count_;
}

void WhepService::setAudio(bus::FrameBus* bus, ServerAudioCodec codec, int frame_ms) {
  audio_bus_ = bus;
  audio_codec_ = std::move(codec);
  audio_frame_ms_ = frame_ms;
}

void WhepService::setMicrophone(MicrophoneSettings settings) {
  microphone_ = std::make_shared<MicrophonePlayer>(std::move(settings));
  std::lock_guard lock(mutex_);
  stats_snapshot_["microphone"] = microphone_->state();
}

WhepResult WhepService::options() const {
  WhepResult r;
  r.status = 204;
  r.headers.emplace_back("Accept-Post", "application/sdp");
  for (auto& link : iceServerLinks(config_)) r.headers.emplace_back("Link", std::move(link));
  return r;
}

void WhepService::postAsync(std::string_view content_type, std::string_view body,
                            std::string_view branch, std::string_view client_addr,
                            std::function<void(WhepResult)> done,
                            std::optional<bool> auto_branch) {
  // Cheap checks answer at once, without a trip to the control thread.
  if (mediaType(content_type) != "application/sdp") {
    done(errorResult(415, "POST /whep needs Content-Type application/sdp, got \"" +
                              std::string(content_type) + "\""));
    return;
  }
  if (body.size() > config_.max_offer_bytes) {
    done(errorResult(413, "the offer is " + std::to_string(body.size()) + " bytes; the limit is " +
                              std::to_string(config_.max_offer_bytes)));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      done(errorResult(503, "the WebRTC service is stopping"));
      return;
    }
  }
  control_->post([this, ct = std::string(content_type), b = std::string(body),
                  br = std::string(branch),
                  addr = std::string(client_addr), done = std::move(done), auto_branch]() mutable {
    handlePost(std::move(ct), std::move(b), std::move(br), std::move(addr), std::move(done),
               auto_branch);
  });
}

WhepResult WhepService::post(std::string_view content_type, std::string_view body,
                             std::string_view branch, std::string_view client_addr) {
  auto promise = std::make_shared<std::promise<WhepResult>>();
  auto future = promise->get_future();
  postAsync(content_type, body, branch, client_addr,
            [promise](WhepResult r) { promise->set_value(std::move(r)); });
  // Bounded: the peer answers after gathering completes or gather_timeout_ms.
  if (future.wait_for(std::chrono::milliseconds(config_.gather_timeout_ms + 10000)) !=
      std::future_status::ready) {
    return errorResult(500, "the WebRTC control thread did not answer");
  }
  return future.get();
}

void WhepService::handlePost(std::string, std::string body, std::string branch,
                             std::string client_addr, std::function<void(WhepResult)> done,
                             std::optional<bool> auto_branch) {
  if (peers_.size() >= config_.max_peers) {
    done(errorResult(503, "too many peers (" + std::to_string(config_.max_peers) + ")"));
    return;
  }
  const auto candidates = branches_ ? branches_(branch) : std::vector<Branch>{};
  if (candidates.empty()) {
    done(errorResult(404, branch.empty() ? std::string("no branch a browser can decode")
                                         : "unknown branch \"" + branch + "\""));
    return;
  }
  auto parsed = parseSdp(body);
  if (!parsed.description) {
    done(errorResult(400, "malformed SDP offer: " + parsed.error));
    return;
  }
  // The first branch whose codec the offer accepts (with ?branch=, that one or nothing).
  PlanResult planned;
  bus::FrameBus* bus = nullptr;
  std::string sent;
  std::string missing;
  for (const auto& candidate : candidates) {
    const char* payloader = rtpPayloaderFor(candidate.encoding);
    if (GstElementFactory* factory = gst_element_factory_find(payloader)) {
      gst_object_unref(factory);
    } else {
      missing = candidate.encoding + " over WebRTC needs the GStreamer element " + payloader +
                ", which is not installed (branch " + candidate.id + "; Direct mode plays it)";
      continue;
    }
    auto server = serverCodec(*candidate.bus, config_);
    server.encoding = candidate.encoding;
    auto attempt = planAnswer(*parsed.description, server);
    if (attempt.plan || attempt.error != PlanError::kNoCommonCodec) {
      planned = std::move(attempt);
      bus = candidate.bus;
      branch = candidate.id;
      break;
    }
    if (planned.reason.empty()) planned = std::move(attempt);
    sent += (sent.empty() ? "" : ", ") + candidate.id + ": " + candidate.encoding;
  }
  if (!planned.plan && planned.reason.empty() && !missing.empty()) {
    done(errorResult(422, missing));
    return;
  }
  if (!planned.plan) {
    if (planned.error == PlanError::kNoCommonCodec && candidates.size() > 1) {
      planned.reason += " (branches: " + sent + ")";
    }
    done(errorResult(planned.error == PlanError::kMalformed ? 400 : 422, planned.reason));
    return;
  }

  PeerParams params;
  params.id = randomHex(16);
  params.branch = branch;
  params.remote = client_addr;
  params.bus = bus;
  params.offer = std::move(*parsed.description);
  params.plan = std::move(*planned.plan);
  if (!config_.playout_delay) params.plan.playout_delay_id.reset();
  if (audio_bus_) {
    planAudio(params.plan, params.offer, audio_codec_);
    if (params.plan.audio) params.audio_bus = audio_bus_;
    params.audio_frame_ms = audio_frame_ms_;
  }
  // The viewer's microphone back to the host (microphone_plan.hpp).
  if (microphone_) {
    std::string declined;
    planMicrophone(params.plan, params.offer, &declined);
    if (params.plan.audio && params.plan.audio->receive) params.microphone = microphone_;
    if (!declined.empty()) spdlog::info("webrtc {}: {}", params.id, declined);
  }
  params.config = config_;
  const std::string id = params.id;
  const std::string etag = "\"" + randomHex(8) + "\"";

  auto peer = std::make_shared<PeerSession>(
      std::move(params), *control_, *feed_, [this, id](std::string reason) {
        // Never remove inside the peer's own call.
        control_->post([this, id, reason] { removePeer(id, reason); });
      });
  Entry entry;
  entry.peer = peer;
  entry.etag = etag;
  entry.auto_branch = auto_branch.value_or(config_.auto_branch);
  peers_[id] = std::move(entry);
  peer->setSwitchedListener([this, id](const std::string& from, const std::string& to) {
    onPeerSwitched(id, from, to);
  });
  {
    std::lock_guard lock(mutex_);
    peer_count_ = peers_.size();
  }
  const auto started_us = core::steadyMicros();
  peer->start([this, id, etag, branch, client_addr, started_us, done = std::move(done)](
                  std::optional<std::string> answer, std::string error) {
    if (!answer) {
      const int status = error.starts_with("set-remote-description") ? 400 : 500;
      done(errorResult(status, "cannot answer the offer: " + error));
      return;
    }
    spdlog::info("webrtc {}: answered {} on branch {} in {} ms", id, client_addr, branch,
                 (core::steadyMicros() - started_us) / 1000);
    WhepResult r;
    r.status = 201;
    r.headers.emplace_back("Content-Type", "application/sdp");
    r.headers.emplace_back("Location", std::string(kWhepResourcePrefix) + id);
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Accept-Patch", "application/trickle-ice-sdpfrag");
    for (auto& link : iceServerLinks(config_)) r.headers.emplace_back("Link", std::move(link));
    r.body = std::move(*answer);
    publishStats();  // listed in /api/state from its answer on, not from the next poll
    done(std::move(r));
    emit({{"type", "webrtc_peer_joined"}, {"id", id}, {"branch", branch}, {"remote", client_addr}});
  });
}

WhepResult WhepService::patch(std::string_view id_view, std::string_view content_type,
                              std::string_view body, std::string_view if_match) {
  auto promise = std::make_shared<std::promise<WhepResult>>();
  auto future = promise->get_future();
  control_->post([this, promise, id = std::string(id_view),
                  content_type = std::string(content_type), body = std::string(body),
                  if_match = std::string(if_match)] {
    const auto it = peers_.find(id);
    if (it == peers_.end()) {
      promise->set_value(errorResult(404, "no WHEP session " + id));
      return;
    }
    if (mediaType(content_type) != "application/trickle-ice-sdpfrag") {
      promise->set_value(
          errorResult(415, "PATCH needs Content-Type application/trickle-ice-sdpfrag, got \"" +
                               std::string(content_type) + "\""));
      return;
    }
    if (!if_match.empty() && if_match != "*" && if_match != it->second.etag) {
      promise->set_value(errorResult(
          412, "If-Match " + std::string(if_match) + " does not match the session's ETag"));
      return;
    }
    auto parsed = parseTrickleFragment(body);
    if (!parsed.fragment) {
      promise->set_value(errorResult(400, "malformed SDP fragment: " + parsed.error));
      return;
    }
    const auto& peer = it->second.peer;
    const auto offered_ufrag = peer->params().offer.effectiveAttribute(
        peer->params().offer.media[peer->params().plan.video_index], "ice-ufrag");
    if (!parsed.fragment->ice_ufrag.empty() && offered_ufrag &&
        parsed.fragment->ice_ufrag != *offered_ufrag) {
      promise->set_value(errorResult(422, "ICE restart is not supported: start a new session"));
      return;
    }
    std::string error;
    if (!peer->addRemoteCandidates(*parsed.fragment, &error)) {
      promise->set_value(errorResult(400, error));
      return;
    }
    WhepResult r;
    r.status = 204;
    promise->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return errorResult(500, "the WebRTC control thread did not answer");
  }
  return future.get();
}

WhepResult WhepService::remove(std::string_view id_view) {
  auto promise = std::make_shared<std::promise<WhepResult>>();
  auto future = promise->get_future();
  control_->post([this, promise, id = std::string(id_view)] {
    if (!peers_.count(id)) {
      promise->set_value(errorResult(404, "no WHEP session " + id));
      return;
    }
    removePeer(id, "DELETE");
    WhepResult r;
    r.status = 200;
    promise->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    return errorResult(500, "the WebRTC control thread did not answer");
  }
  return future.get();
}

void WhepService::removePeer(const std::string& id, const std::string& reason) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return;
  auto peer = std::move(it->second.peer);
  peers_.erase(it);
  peer->close();
  {
    std::lock_guard lock(mutex_);
    peer_count_ = peers_.size();
  }
  spdlog::info("webrtc {}: removed ({})", id, reason);
  emit({{"type", "webrtc_peer_left"}, {"id", id}, {"reason", reason}});
  publishStats();
}

void WhepService::schedulePoll() {
  control_->postAfter(std::chrono::milliseconds(config_.stats_interval_ms), [this] {
    // Copy: a poll may ask for its peer's removal (posted, not run here).
    std::vector<std::shared_ptr<PeerSession>> peers;
    for (auto& [id, entry] : peers_) peers.push_back(entry.peer);
    for (auto& peer : peers) peer->poll();
    adaptBranches();
    publishStats();
    schedulePoll();
  });
}

void WhepService::publishStats() {
  auto list = nlohmann::json::array();
  const auto now = core::steadyMicros();
  for (const auto& [id, entry] : peers_) {
    const auto& p = *entry.peer;
    const auto s = p.stats();
    list.push_back(
        {{"id", id},
         {"branch", p.branch()},
         {"auto_branch", entry.auto_branch},
         {"branch_reason", entry.branch_reason},
         {"switching_to", p.pendingBranch()},
         {"branch_switches", entry.branch_switches},
         {"remote", p.params().remote},
         {"state", p.state()},
         {"codec", p.params().plan.codec.encoding + "/" +
                       std::to_string(p.params().plan.codec.payload_type)},
         {"bytes_sent", s.bytes_sent},
         {"packets_sent", s.packets_sent},
         {"frames_sent", p.framesSent()},
         {"nacks_received", s.nacks_received},
         // GStreamer 1.22's pli-count stays 0 although PLIs arrive (they do reach
         // the payloader as force-key-unit events, counted by the peer).
         {"plis_received",
          std::max<std::uint64_t>(s.plis_received, p.keyframeRequests() > s.firs_received
                                                       ? p.keyframeRequests() - s.firs_received
                                                       : 0)},
         {"firs_received", s.firs_received},
         {"keyframe_requests", p.keyframeRequests()},
         {"retransmitted_packets", s.retransmitted_packets},
         {"rtt_ms", s.rtt_ms},
         {"loss", s.fraction_lost},
         {"packets_lost", s.packets_lost},
         {"jitter_ms", s.jitter_ms},
         {"connected_ms", p.connectedAtUs() > 0 ? (now - p.connectedAtUs()) / 1000 : 0}});
  }
  std::lock_guard lock(mutex_);
  stats_snapshot_["peers"] = std::move(list);
  if (microphone_) stats_snapshot_["microphone"] = microphone_->state();
}

nlohmann::json WhepService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_snapshot_;
}

}  // namespace framewire::transport::webrtc
