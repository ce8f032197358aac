#pragma once
// The framewire HTTP server: web UI, API, MJPEG, snapshots and Direct WebSocket on one port.
// Light header (pimpl): including it pulls in neither Asio nor Beast.
//
// Threads: construct, start() and stop() from the main thread. Requests are served by a small
// pool of io threads, each connection on its own strand. The MediaEngine must outlive the
// Server (or at least its stop()).

#include <cstdint>
#include <memory>

#include "config/config.hpp"

namespace framewire::media {
class MediaEngine;
}

namespace framewire::server {

class Server {
 public:
  Server(const config::Config& config, media::MediaEngine& media);
  ~Server();  // stops if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds config.listen_host:listen_port (port 0 picks a free one), starts serving and logs
  // "listening on http://HOST:PORT/" at info level. Throws std::runtime_error, e.g.
  // "cannot listen on 127.0.0.1:8080: Address already in use".
  void start();
  // Stops accepting, closes every connection and releases every bus subscription. Safe to
  // call twice, and without start().
  void stop();

  // The port actually bound (after start()).
  std::uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::server
