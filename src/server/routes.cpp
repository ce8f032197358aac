#include "server/routes.hpp"

#include "core/clock.hpp"
#include "media/audio/audio_engine.hpp"
#include "media/media_engine.hpp"
#include "server/audio_state.hpp"
#include "server/record_routes.hpp"
#include "server/settings_routes.hpp"
#include "server/state_json.hpp"
#include "server/whep_routes.hpp"
#include "transport/direct/direct_session.hpp"
#include "transport/events/events_session.hpp"
#include "transport/mjpeg/mjpeg_session.hpp"
#include "transport/mjpeg/snapshot.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::server {

namespace {

const std::vector<std::string> kGet{"GET"};
const std::vector<std::string> kGetHead{"GET", "HEAD"};
// Static files answer 405 themselves for an existing file and 404 otherwise.
const std::vector<std::string> kAnyMethod{"GET",    "HEAD",  "POST",   "PUT",
                                          "DELETE", "PATCH", "OPTIONS"};

bool isTrue(std::string_view value) { return value == "1" || value == "true" || value == "yes"; }

net::Reply mjpegStream(RouteContext& context) {
  return net::Reply::handOver([&context](std::shared_ptr<net::Handoff> handoff) {
    transport::mjpeg::startMjpegSession(std::move(handoff), context.media.jpegBus(),
                                        context.clients);
  });
}

net::Reply snapshot(RouteContext& context) {
  return transport::mjpeg::snapshotReply(context.media.jpegBus());
}

net::Reply direct(RouteContext& context, const net::HttpRequest& request) {
  if (!request.websocket_upgrade) {
    auto response = net::errorResponse(426, "/ws/direct needs a WebSocket upgrade");
    response.set("Upgrade", "websocket");
    return net::Reply::now(std::move(response));
  }
  // ?branch=ID (docs/protocol.md); none: the default branch.
  const std::string branch = request.query.contains("branch")
                                 ? std::string(request.param("branch"))
                                 : context.media.defaultBranch();
  bus::FrameBus* bus = context.media.encodedBus(branch);
  if (bus == nullptr) return net::Reply::now(net::errorResponse(404, "no branch '" + branch + "'"));
  transport::direct::DirectOptions options;
  options.raw = isTrue(request.param("raw"));
  options.branch = branch;
  options.fps = context.config.fps;
  options.default_width = context.config.width;
  options.default_height = context.config.height;
  options.max_control_bytes = context.config.security.ws_max_message_bytes;
  options.handshake_timeout = std::chrono::seconds(context.config.security.ws_handshake_timeout_s);
  for (const auto& s : context.media.branchSettings()) {
    if (s.id == branch) options.fps = s.fps;
  }
  // ?audio=1: Opus frames on the same socket (docs/protocol.md); other codecs are WebRTC-only.
  if (isTrue(request.param("audio")) && context.audio && context.audio->bus() &&
      context.audio->format().codec == "opus") {
    const auto& f = context.audio->format();
    options.audio_bus = context.audio->bus();
    options.audio_codec = f.codec;
    options.audio_sample_rate = f.sample_rate;
    options.audio_channels = f.channels;
    options.audio_frame_ms = f.frame_ms;
  }
  return net::Reply::handOver([&context, options, bus](std::shared_ptr<net::Handoff> handoff) {
    transport::direct::startDirectSession(std::move(handoff), *bus, context.clients, options);
  });
}

net::Reply events(RouteContext& context, const net::HttpRequest& request) {
  if (!request.websocket_upgrade || !context.events) {
    auto response = net::errorResponse(426, "/ws/events needs a WebSocket upgrade");
    response.set("Upgrade", "websocket");
    return net::Reply::now(std::move(response));
  }
  transport::events::EventsOptions options;
  options.state = [&context] { return currentState(context); };
  options.max_client_message_bytes = context.config.security.ws_max_message_bytes;
  options.handshake_timeout = std::chrono::seconds(context.config.security.ws_handshake_timeout_s);
  return net::Reply::handOver([&context, options](std::shared_ptr<net::Handoff> handoff) {
    transport::events::startEventsSession(std::move(handoff), *context.events, options);
  });
}

}  // namespace

std::string currentState(RouteContext& context) {
  const double uptime_s = (core::steadyMicros() - context.started_steady_us) / 1e6;
  const nlohmann::json webrtc = context.whep ? context.whep->stats() : nlohmann::json();
  if (!context.record_routes && !context.audio) {
    return stateJson(context.media, context.clients, uptime_s, webrtc);
  }
  auto state = stateDocument(context.media, context.clients, uptime_s, webrtc);
  if (context.record_routes) state.update(context.record_routes->state());
  if (context.audio) state["audio"] = audioStateJson(*context.audio);
  return state.dump();
}

std::shared_ptr<net::Router> buildRoutes(RouteContext& context) {
  auto router = std::make_shared<net::Router>();
  auto& ctx = context;

  // "/" is the UI, unless mjpg-streamer's ?action= asks for a stream or a snapshot.
  router->add(kGetHead, "/", [&ctx](const net::HttpRequest& request) {
    if (request.query.contains("action")) {
      const auto action = request.param("action");
      if (action != "stream" && action != "snapshot") {
        return net::Reply::now(net::errorResponse(
            400, "unknown action \"" + std::string(action) + "\" (valid: stream, snapshot)"));
      }
      if (request.method != "GET") {
        auto response = net::errorResponse(405, "?action= needs GET");
        response.set("Allow", "GET");
        return net::Reply::now(std::move(response));
      }
      return action == "stream" ? mjpegStream(ctx) : snapshot(ctx);
    }
    return net::Reply::now(ctx.static_files.serve(request));
  });
  router->add(kGet, "/stream", [&ctx](const net::HttpRequest&) { return mjpegStream(ctx); });
  router->add(kGet, "/snapshot", [&ctx](const net::HttpRequest&) { return snapshot(ctx); });
  router->add(kGet, "/ws/direct",
              [&ctx](const net::HttpRequest& request) { return direct(ctx, request); });
  router->add(kGet, "/ws/events",
              [&ctx](const net::HttpRequest& request) { return events(ctx, request); });
  if (ctx.whep_routes) ctx.whep_routes->addTo(*router);
  if (ctx.record_routes) ctx.record_routes->addTo(*router);
  addSettingsRoutes(*router, ctx);
  router->add(kGetHead, "/api/state", [&ctx](const net::HttpRequest&) {
    return net::Reply::now(net::jsonResponse(200, currentState(ctx)));
  });
  router->add(kGetHead, "/api/health", [](const net::HttpRequest&) {
    return net::Reply::now(net::jsonResponse(200, R"({"ok":true})"));
  });
  // Unknown API paths are 404 whatever the method (not 405 from the static fallback).
  router->addPrefix(kAnyMethod, "/api/", [](const net::HttpRequest& request) {
    return net::Reply::now(net::errorResponse(404, "no such path: " + request.path));
  });
  router->addPrefix(kAnyMethod, "/", [&ctx](const net::HttpRequest& request) {
    return net::Reply::now(ctx.static_files.serve(request));
  });
  return router;
}

}  // namespace framewire::server
