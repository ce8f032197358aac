#pragma once
// The server's routes (docs/protocol.md) and what they need to answer.

#include <memory>

#include "config/config.hpp"
#include "net/router.hpp"
#include "server/static_files.hpp"
#include "transport/client_registry.hpp"

namespace framewire::media {
class MediaEngine;
class AudioEngine;
}
namespace framewire::transport::events {
class EventHub;
}
namespace framewire::transport::webrtc {
class WhepService;
}

namespace framewire::server {

class WhepRoutes;
class RecordRoutes;

struct RouteContext {
  config::Config config;
  media::MediaEngine& media;
  transport::ClientRegistry clients;
  StaticFiles static_files;
  std::int64_t started_steady_us = 0;
  // Owned by the Server; set before buildRoutes. Null: that part is off.
  transport::webrtc::WhepService* whep = nullptr;
  WhepRoutes* whep_routes = nullptr;
  std::shared_ptr<transport::events::EventHub> events;
  RecordRoutes* record_routes = nullptr;  // recording and broadcasting
  media::AudioEngine* audio = nullptr;    // null: no audio
};

// The /api/state document (also the /ws/events hello's "state").
std::string currentState(RouteContext& context);

// `context` must outlive the router (the Server owns both).
std::shared_ptr<net::Router> buildRoutes(RouteContext& context);

}  // namespace framewire::server
