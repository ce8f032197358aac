#pragma once
// WHEP over HTTP (docs/protocol.md, "WebRTC through WHEP"): maps
//   POST    /whep[?branch=<id>]  → WhepService::postAsync (a deferred answer)
//   PATCH   /whep/<id>           → WhepService::patch   (on a worker thread)
//   DELETE  /whep/<id>           → WhepService::remove  (on a worker thread)
//   OPTIONS /whep, /whep/<id>    → CORS preflight + Accept-Post / Accept-Patch
//   POST    /api/peers/<id>/branch → WhepService::switchPeerBranch (on the worker thread)
// onto the router. Every WHEP answer carries CORS headers so a player on another origin can
// read Location, ETag and Link.
//
// Threads: handlers run on the connections' strands and never wait there: POST answers from
// the service's control thread through the deferred-answer mechanism, and PATCH/DELETE (which
// wait briefly for that thread) run on this object's own worker thread.

#include <chrono>
#include <memory>

#include "net/router.hpp"

namespace framewire::transport::webrtc {
class WhepService;
class SerialExecutor;
}  // namespace framewire::transport::webrtc

namespace framewire::server {

class WhepRoutes {
 public:
  // `answer_timeout`: how long a POST may wait for its answer before the client gets 503.
  WhepRoutes(transport::webrtc::WhepService& service, std::chrono::milliseconds answer_timeout);
  ~WhepRoutes();  // stop()
  WhepRoutes(const WhepRoutes&) = delete;
  WhepRoutes& operator=(const WhepRoutes&) = delete;

  // The handlers refer to this object: it must outlive the router.
  void addTo(net::Router& router);
  // Joins the worker; PATCH/DELETE not yet run are dropped (their connections are closing).
  void stop();

 private:
  net::Reply post(const net::HttpRequest& request);
  net::Reply onResource(const net::HttpRequest& request);
  net::Reply onPeerBranch(const net::HttpRequest& request);
  // Runs `call` (which may wait for the service) on the worker and answers with its result.
  template <typename Call>
  net::Reply onWorker(Call call);

  transport::webrtc::WhepService& service_;
  const std::chrono::milliseconds answer_timeout_;
  std::unique_ptr<transport::webrtc::SerialExecutor> worker_;
};

}  // namespace framewire::server
