#pragma once
// The HTTP/1.1 server: a listener, a pool of io_context threads, and one session per
// connection on its own strand. Light header (pimpl): no Asio or Beast here.
//
// Threads: construct, listen(), run() and stop() from one controlling thread. Handlers run on
// the io threads, each connection's on its own strand.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/router.hpp"
#include "net/stream_relay.hpp"
#include "net/wake_gate.hpp"

namespace framewire::net {

struct HttpLimits {
  std::size_t header_limit = 8 * 1024;     // request line + headers; more answers 431
  std::size_t body_limit = 64 * 1024;      // request body; more answers 413
  std::chrono::seconds idle_timeout{30};   // keep-alive wait for the next request
  std::chrono::seconds write_timeout{15};  // a response must drain in this time
  std::chrono::seconds websocket_handshake_timeout{10};
};

class HttpServer {
 public:
  HttpServer(std::shared_ptr<const Router> router, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Returns the bound port (useful with port 0). Throws std::runtime_error
  // "cannot listen on HOST:PORT: reason".
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // After listen(): also accept TLS on host:port (terminated here, then served like the plain
  // listener's connections). Returns the bound port. Throws std::runtime_error.
  std::uint16_t listenTls(const std::string& host, std::uint16_t port, const TlsFiles& files);
  // After listen(): also accept on a Unix stream socket at `path`. Throws std::runtime_error.
  void listenUnix(const std::string& path);
  // Starts `threads` io threads accepting and serving. Returns at once.
  void run(std::size_t threads);
  // Stops accepting, closes the wake gate, stops the io threads and drops every connection.
  // Safe to call twice.
  void stop();

  const WakeGatePtr& wakeGate() const;
  const HttpLimits& limits() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::net
