#include "server/state_json.hpp"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "media/media_engine.hpp"

#ifndef FRAMEWIRE_VERSION
#define FRAMEWIRE_VERSION "unknown"
#endif

namespace framewire::server {

namespace {

using nlohmann::json;

json summaryJson(const bus::SampleSummary& s) {
  return json{{"p50", s.p50},
              {"p95", s.p95},
              {"max", s.max},
              {"mean", std::round(s.mean * 10) / 10},
              {"count", s.count}};
}

double rounded(double value) { return std::round(value * 10) / 10; }

const media::BranchState* findBranch(const media::MediaState& state, std::string_view id) {
  for (const auto& branch : state.branches) {
    if (branch.id == id) return &branch;
  }
  return nullptr;
}

json encodedBranch(media::MediaEngine& media, const media::CodecBranchSettings& settings,
                   const media::BranchState* info) {
  bus::FrameBus* bus = media.encodedBus(settings.id);
  const auto stats = bus ? bus->stats() : bus::FrameBusStats{};
  return json{{"id", settings.id},
              {"codec", settings.codec},
              {"encoder", settings.encoder},
              {"encoder_fallback", settings.fallback_reason},
              {"hardware", settings.hardware},
              {"default", settings.id == media.defaultBranch()},
              {"settings",
               {{"width", settings.width},
                {"height", settings.height},
                {"fps", settings.fps},
                {"bitrate", settings.bitrate_kbps},
                {"gop", settings.gop},
                {"live_bitrate", settings.live_bitrate}}},
              {"encoding", info ? info->encoding : false},
              {"fps", rounded(stats.fps)},
              {"kbps", rounded(stats.kbps)},
              {"frames_published", stats.frames_published},
              {"keyframes", stats.keyframes_published},
              {"keyframe_requests", stats.keyframe_requests},
              {"keyframe_requests_sent", stats.keyframe_requests_sent},
              {"subscribers", stats.subscribers},
              {"latency_us",
               {{"source_to_encoder", summaryJson(stats.source_to_encoder)},
                {"encode", summaryJson(stats.encode)},
                {"encoded_to_sent", summaryJson(stats.encoded_to_sent)},
                {"capture_to_sent", summaryJson(stats.capture_to_sent)}}}};
}

json jpegBranch(media::MediaEngine& media, const media::BranchState* info) {
  auto& bus = media.jpegBus();
  const auto published = bus.framesPublished();
  const auto stages = bus.stages();
  // Every JPEG stands alone: each is a "keyframe".
  return json{{"id", info ? info->id : "jpeg"},
              {"codec", "jpeg"},
              {"encoder", info ? info->encoder : ""},
              {"encoding", info ? info->encoding : false},
              {"fps", rounded(bus.fps())},
              {"kbps", rounded(bus.kbps())},
              {"frames_published", published},
              {"keyframes", published},
              {"subscribers", bus.watcherCount()},
              {"latency_us",
               {{"source_to_encoder", summaryJson(stages.source_to_encoder)},
                {"encode", summaryJson(stages.encode)},
                {"encoded_to_sent", summaryJson(stages.encoded_to_sent)},
                {"capture_to_sent", summaryJson(stages.capture_to_sent)}}}};
}

// A WebRTC peer as a "clients" entry: the common fields plus the RTP/RTCP counters.
json webrtcClient(const json& peer) {
  const auto get = [&](const char* key, json fallback) {
    return peer.contains(key) ? peer[key] : fallback;
  };
  return json{{"id", get("id", "")},
              {"mode", "webrtc"},
              {"remote", get("remote", "")},
              {"branch", get("branch", "")},
              {"state", get("state", "")},
              {"frames_sent", get("frames_sent", 0)},
              {"bytes", get("bytes_sent", 0)},
              {"packets", get("packets_sent", 0)},
              {"nacks", get("nacks_received", 0)},
              {"plis", get("plis_received", 0)},
              {"rtt_ms", get("rtt_ms", nullptr)},
              {"loss", get("loss", nullptr)}};
}

}  // namespace

std::string isoTime(std::int64_t wall_us) {
  const std::time_t seconds = static_cast<std::time_t>(wall_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ",
                static_cast<int>((wall_us % 1'000'000) / 1000));
  return text;
}

std::string stateJson(media::MediaEngine& media, const transport::ClientRegistry& clients,
                      double uptime_s, const json& webrtc) {
  return stateDocument(media, clients, uptime_s, webrtc)
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

json stateDocument(media::MediaEngine& media, const transport::ClientRegistry& clients,
                   double uptime_s, const json& webrtc) {
  const media::MediaState state = media.state();
  json branches = json::array();
  for (const auto& settings : media.branchSettings()) {
    branches.push_back(encodedBranch(media, settings, findBranch(state, settings.id)));
  }
  const media::BranchState* jpeg_info = nullptr;
  for (const auto& branch : state.branches) {
    if (branch.codec == "jpeg") jpeg_info = &branch;
  }
  branches.push_back(jpegBranch(media, jpeg_info));

  json client_list = json::array();
  for (const auto& client : clients.snapshot()) {
    client_list.push_back(json{{"id", client.id},
                               {"mode", client.mode},
                               {"remote", client.remote},
                               {"since", isoTime(client.since_us)},
                               {"frames_sent", client.frames_sent},
                               {"frames_dropped", client.frames_dropped},
                               {"bytes", client.bytes}});
  }
  if (webrtc.is_object() && webrtc.contains("peers")) {
    for (const auto& peer : webrtc["peers"]) client_list.push_back(webrtcClient(peer));
  }

  json document{{"version", FRAMEWIRE_VERSION},
                {"uptime_s", rounded(uptime_s)},
                {"source",
                 {{"name", state.source},
                  {"width", state.width},
                  {"height", state.height},
                  {"fps", state.fps},
                  {"capturing", state.capturing},
                  {"frames_captured", state.frames_captured},
                  {"restarts", state.capture_restarts},
                  {"signal", state.signal},
                  {"signal_reason", state.signal_reason},
                  {"last_signal_change", state.last_signal_change_us > 0
                                             ? json(isoTime(state.last_signal_change_us))
                                             : json(nullptr)},
                  {"signal_losses", state.signal_losses},
                  {"no_signal_frames", state.no_signal_frames},
                  {"passthrough", state.passthrough},
                  {"bframes", state.bframes}}},
                {"branches", std::move(branches)},
                {"clients", std::move(client_list)}};
  if (webrtc.is_object()) document["webrtc"] = webrtc;
  return document;
}

}  // namespace framewire::server
