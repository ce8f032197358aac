#pragma once
// Listeners that carry their connections to the plain HTTP listener on loopback: a TLS
// listener (terminates TLS) and a Unix-socket listener. Each accepted connection gets a
// loopback TCP connection to the HTTP server and bytes are copied both ways, so every route,
// stream and WebSocket works unchanged behind them. The HTTP server learns the real client
// ("1.2.3.4:5678" or "unix") through RelayedRemotes, keyed by the relay's local port.
// Light header: no Asio or OpenSSL here.
//
// Threads: construct and start() from the controlling thread; everything else runs on the
// io_context's threads, each connection on its own strand.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace framewire::net {

// Who is really behind a relayed loopback connection.
class RelayedRemotes {
 public:
  void add(std::uint16_t local_port, std::string remote);
  void remove(std::uint16_t local_port);
  std::optional<std::string> find(std::uint16_t local_port) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uint16_t, std::string> remotes_;
};

struct TlsFiles {
  std::string cert_file;  // PEM, the certificate chain
  std::string key_file;   // PEM, its private key
};

class RelayListener {
 public:
  // TLS on host:port. Throws std::runtime_error when the certificate or key cannot be used
  // or the address cannot be bound. bound_port() says which port (port 0 picks one).
  static std::unique_ptr<RelayListener> tls(boost::asio::io_context& io, const std::string& host,
                                            std::uint16_t port, const TlsFiles& files,
                                            std::uint16_t http_port,
                                            std::shared_ptr<RelayedRemotes> remotes,
                                            std::chrono::seconds handshake_timeout);
  // A Unix stream socket at `path` (a stale socket file there is replaced; mode 0660).
  static std::unique_ptr<RelayListener> unixSocket(boost::asio::io_context& io,
                                                   const std::string& path,
                                                   std::uint16_t http_port,
                                                   std::shared_ptr<RelayedRemotes> remotes);
  virtual ~RelayListener() = default;

  virtual void start() = 0;  // accepts from now on
  virtual void close() = 0;  // stops accepting (on an io thread or after the io threads end)
  virtual std::uint16_t boundPort() const = 0;  // 0 for a Unix socket
};

}  // namespace framewire::net
