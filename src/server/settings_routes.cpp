#include "server/settings_routes.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "media/media_engine.hpp"
#include "server/settings_request.hpp"
#include "transport/events/event_hub.hpp"

namespace framewire::server {
namespace {

using nlohmann::json;

json settingsJson(const media::CodecBranchSettings& s) {
  return json{{"id", s.id},
              {"codec", s.codec},
              {"encoder", s.encoder},
              {"hardware", s.hardware},
              {"width", s.width},
              {"height", s.height},
              {"fps", s.fps},
              {"bitrate", s.bitrate_kbps},
              {"gop", s.gop},
              {"live_bitrate", s.live_bitrate},
              {"encoder_fallback", s.fallback_reason}};
}

json settingsDocument(media::MediaEngine& media) {
  json branches = json::array();
  for (const auto& s : media.branchSettings()) branches.push_back(settingsJson(s));
  return json{{"default_branch", media.defaultBranch()}, {"branches", std::move(branches)}};
}

net::Reply postSettings(RouteContext& context, const net::HttpRequest& request) {
  media::SettingsRequest settings;
  try {
    settings = parseSettingsRequest(request.body);
  } catch (const std::invalid_argument& e) {
    return net::Reply::now(net::errorResponse(400, e.what()));
  }
  net::Deferred deferred;
  deferred.timeout = std::chrono::milliseconds(10000);
  deferred.on_timeout = net::errorResponse(503, "the media engine did not answer in time");
  auto& media = context.media;
  auto events = context.events;
  deferred.start = [&media, events, settings](net::Respond respond, net::Post) {
    media.applySettings(settings, [&media, events, settings,
                                   respond](const media::SettingsOutcome& outcome) {
      if (outcome.status != 200) {
        respond(net::errorResponse(outcome.status, outcome.error));
        return;
      }
      json branch;
      for (const auto& s : media.branchSettings()) {
        if (s.id == outcome.result.branch) branch = settingsJson(s);
      }
      json answer{{"ok", true},
                  {"branch", outcome.result.branch},
                  {"applied", outcome.result.applied},
                  {"settings", branch}};
      if (settings.jpeg_quality) answer["jpeg_quality"] = *settings.jpeg_quality;
      if (events) {
        json event = answer;
        event.erase("ok");
        event["type"] = "settings_changed";
        events->publish(event);
      }
      respond(net::jsonResponse(200, answer.dump()));
    });
    return net::Cancel([] {});
  };
  return net::Reply::later(std::move(deferred));
}

}  // namespace

void addSettingsRoutes(net::Router& router, RouteContext& context) {
  auto& ctx = context;
  // One route per path (the router matches the path first, then the method).
  router.add({"GET", "HEAD", "POST"}, "/api/settings", [&ctx](const net::HttpRequest& request) {
    if (request.method == "POST") return postSettings(ctx, request);
    return net::Reply::now(net::jsonResponse(200, settingsDocument(ctx.media).dump()));
  });
}

bus::FrameBus* whepBusFor(media::MediaEngine& media, std::string_view branch) {
  std::string id(branch);
  bus::FrameBus* bus = media.encodedBus(id);
  if (bus == nullptr && (id.empty() || id == "main")) {
    id = media.defaultBranch();
    bus = media.encodedBus(id);
  }
  if (bus == nullptr) return nullptr;
  for (const auto& s : media.branchSettings()) {
    if (s.id == id) return s.codec == "h264" ? bus : nullptr;
  }
  return nullptr;
}

std::vector<transport::webrtc::WhepService::Branch> whepBranchesFor(media::MediaEngine& media,
                                                                    std::string_view branch) {
  static const std::map<std::string, std::string, std::less<>> kRtpNames{
      {"h264", "H264"}, {"vp8", "VP8"}, {"vp9", "VP9"}, {"av1", "AV1"}};
  std::vector<transport::webrtc::WhepService::Branch> out;
  const std::string default_id = media.defaultBranch();
  std::string wanted(branch);
  // "main" names the default branch when no branch is called main (as in whepBusFor).
  if (wanted == "main" && media.encodedBus("main") == nullptr) wanted = default_id;
  for (const auto& s : media.branchSettings()) {
    const auto rtp = kRtpNames.find(s.codec);
    if (rtp == kRtpNames.end()) continue;
    if (!wanted.empty() && s.id != wanted) continue;
    bus::FrameBus* bus = media.encodedBus(s.id);
    if (bus == nullptr) continue;
    transport::webrtc::WhepService::Branch entry{
        s.id, rtp->second, bus, static_cast<std::int64_t>(s.width) * s.height * s.fps,
        s.bitrate_kbps};
    if (s.id == default_id) {
      out.insert(out.begin(), std::move(entry));
    } else {
      out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace framewire::server
