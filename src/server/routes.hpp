#pragma once
// The server's routes (docs/protocol.md) and what they need to answer.

#include <memory>

#include "config/config.hpp"
#include "net/router.hpp"
#include "server/static_files.hpp"
#include "transport/client_registry.hpp"

namespace framewire::media {
class MediaEngine;
}

namespace framewire::server {

struct RouteContext {
  config::Config config;
  media::MediaEngine& media;
  transport::ClientRegistry clients;
  StaticFiles static_files;
  std::int64_t started_steady_us = 0;
};

// `context` must outlive the router (the Server owns both).
std::shared_ptr<net::Router> buildRoutes(RouteContext& context);

}  // namespace framewire::server
