#include "net/stream_relay.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "core/log.hpp"

namespace framewire::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using error_code = boost::system::error_code;

void RelayedRemotes::add(std::uint16_t local_port, std::string remote) {
  std::lock_guard lock(mutex_);
  remotes_[local_port] = std::move(remote);
}

void RelayedRemotes::remove(std::uint16_t local_port) {
  std::lock_guard lock(mutex_);
  remotes_.erase(local_port);
}

std::optional<std::string> RelayedRemotes::find(std::uint16_t local_port) const {
  std::lock_guard lock(mutex_);
  const auto it = remotes_.find(local_port);
  if (it == remotes_.end()) return std::nullopt;
  return it->second;
}

namespace {

constexpr std::size_t kBufferBytes = 64 * 1024;

std::string endpointText(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// One relayed connection: the client's stream (TLS or Unix) and a loopback TCP connection to
// the HTTP server, bytes copied both ways. Everything on the client socket's strand.
template <class ClientStream>
class RelayConnection : public std::enable_shared_from_this<RelayConnection<ClientStream>> {
 public:
  RelayConnection(ClientStream client, std::string remote, std::uint16_t http_port,
                  std::shared_ptr<RelayedRemotes> remotes)
      : client_(std::move(client)),
        upstream_(client_.get_executor()),
        timer_(client_.get_executor()),
        remote_(std::move(remote)),
        http_port_(http_port),
        remotes_(std::move(remotes)) {}

  ~RelayConnection() {
    if (local_port_ != 0) remotes_->remove(local_port_);
  }

  void start(std::chrono::seconds handshake_timeout) {
    auto self = this->shared_from_this();
    if constexpr (kTls) {
      timer_.expires_after(handshake_timeout);
      timer_.async_wait([self](error_code ec) {
        if (!ec && !self->handshaken_) self->closeAll();  // a slow or silent TLS client
      });
      client_.async_handshake(ssl::stream_base::server, [self](error_code ec) {
        self->handshaken_ = true;
        self->timer_.cancel();
        if (ec) {
          spdlog::debug("tls {}: handshake failed: {}", self->remote_, ec.message());
          return self->closeAll();
        }
        self->connectUpstream();
      });
    } else {
      (void)handshake_timeout;
      connectUpstream();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<ClientStream, unix_socket::socket>;

  auto& clientSocket() {
    if constexpr (kTls) {
      return client_.lowest_layer();
    } else {
      return client_;
    }
  }

  void connectUpstream() {
    error_code ec;
    const tcp::endpoint loopback(asio::ip::make_address_v4("127.0.0.1"), 0);
    upstream_.open(tcp::v4(), ec);
    if (!ec) upstream_.bind(loopback, ec);
    if (!ec) local_port_ = upstream_.local_endpoint(ec).port();
    if (ec) {
      spdlog::warn("relay {}: no loopback connection: {}", remote_, ec.message());
      return closeAll();
    }
    // Known before the server can accept, so its session sees the real client.
    remotes_->add(local_port_, remote_);
    upstream_.set_option(tcp::no_delay(true), ec);
    auto self = this->shared_from_this();
    upstream_.async_connect(tcp::endpoint(loopback.address(), http_port_), [self](error_code ec) {
      if (ec) {
        spdlog::warn("relay {}: cannot reach the HTTP server: {}", self->remote_, ec.message());
        return self->closeAll();
      }
      self->readClient();
      self->readUpstream();
    });
  }

  void readClient() {
    auto self = this->shared_from_this();
    client_.async_read_some(asio::buffer(up_), [self](error_code ec, std::size_t n) {
      if (ec) {
        // The client is done sending: pass the half-close on, keep answering.
        error_code ignored;
        self->upstream_.shutdown(tcp::socket::shutdown_send, ignored);
        self->client_done_ = true;
        if (self->upstream_done_) self->closeAll();
        return;
      }
      asio::async_write(self->upstream_, asio::buffer(self->up_, n),
                        [self](error_code ec, std::size_t) {
                          if (ec) return self->closeAll();
                          self->readClient();
                        });
    });
  }

  void readUpstream() {
    auto self = this->shared_from_this();
    upstream_.async_read_some(asio::buffer(down_), [self](error_code ec, std::size_t n) {
      if (ec) {
        self->upstream_done_ = true;
        return self->closeAll();  // the server closed: so does the client's connection
      }
      asio::async_write(self->client_, asio::buffer(self->down_, n),
                        [self](error_code ec, std::size_t) {
                          if (ec) return self->closeAll();
                          self->readUpstream();
                        });
    });
  }

  void closeAll() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    timer_.cancel();
    clientSocket().shutdown(asio::socket_base::shutdown_both, ignored);
    clientSocket().close(ignored);
    upstream_.close(ignored);
  }

  ClientStream client_;
  tcp::socket upstream_;
  asio::steady_timer timer_;
  const std::string remote_;
  const std::uint16_t http_port_;
  std::shared_ptr<RelayedRemotes> remotes_;
  std::uint16_t local_port_ = 0;
  bool handshaken_ = false;
  bool client_done_ = false;
  bool upstream_done_ = false;
  bool closed_ = false;
  std::array<char, kBufferBytes> up_{};
  std::array<char, kBufferBytes> down_{};
};

// Accepts with a back-off when accept fails (e.g. out of file descriptors); each accepted
// socket (on its own strand) goes to `on_accepted`.
template <class Protocol>
class AcceptLoop {
 public:
  using Socket = typename Protocol::socket;

  AcceptLoop(asio::io_context& io, std::function<void(Socket)> on_accepted)
      : io_(io), acceptor_(io), retry_(io), on_accepted_(std::move(on_accepted)) {}

  typename Protocol::acceptor& acceptor() { return acceptor_; }

  void acceptNext() {
    acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, Socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        spdlog::warn("accept failed: {}", ec.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([this](error_code wait_ec) {
          if (!wait_ec) acceptNext();
        });
        return;
      }
      on_accepted_(std::move(socket));
      acceptNext();
    });
  }

  void close() {
    error_code ignored;
    retry_.cancel();
    acceptor_.close(ignored);
  }

 private:
  asio::io_context& io_;
  typename Protocol::acceptor acceptor_;
  asio::steady_timer retry_;
  std::function<void(Socket)> on_accepted_;
};

class TlsListener final : public RelayListener {
 public:
  TlsListener(asio::io_context& io, const std::string& host, std::uint16_t port,
              const TlsFiles& files, std::uint16_t http_port,
              std::shared_ptr<RelayedRemotes> remotes, std::chrono::seconds handshake_timeout)
      : loop_(io, [this](tcp::socket socket) { onAccepted(std::move(socket)); }),
        context_(ssl::context::tls_server),
        http_port_(http_port),
        remotes_(std::move(remotes)),
        handshake_timeout_(handshake_timeout) {
    const bool v6 = host.find(':') != std::string::npos;
    const std::string where = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    error_code ec;
    context_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    context_.use_certificate_chain_file(files.cert_file, ec);
    if (ec) throw std::runtime_error("tls-cert " + files.cert_file + ": " + ec.message());
    context_.use_private_key_file(files.key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("tls-key " + files.key_file + ": " + ec.message());

    tcp::resolver resolver(io);
    const auto results = resolver.resolve(
        host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot listen on " + where + ": " +
                               (ec ? ec.message() : "host has no address"));
    }
    const auto endpoint = results.begin()->endpoint();
    auto check = [&](const error_code& error) {
      if (error) throw std::runtime_error("cannot listen on " + where + ": " + error.message());
    };
    auto& acceptor = loop_.acceptor();
    acceptor.open(endpoint.protocol(), ec);
    check(ec);
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    check(ec);
    acceptor.bind(endpoint, ec);
    check(ec);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    check(ec);
    bound_port_ = acceptor.local_endpoint(ec).port();
  }

  void start() override { loop_.acceptNext(); }
  void close() override { loop_.close(); }
  std::uint16_t boundPort() const override { return bound_port_; }

  void onAccepted(tcp::socket socket) {
    error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    const std::string remote = ec ? "unknown" : endpointText(peer);
    socket.set_option(tcp::no_delay(true), ec);
    using Stream = ssl::stream<tcp::socket>;
    std::make_shared<RelayConnection<Stream>>(Stream(std::move(socket), context_), remote,
                                              http_port_, remotes_)
        ->start(handshake_timeout_);
  }

 private:
  AcceptLoop<tcp> loop_;
  ssl::context context_;
  const std::uint16_t http_port_;
  std::shared_ptr<RelayedRemotes> remotes_;
  const std::chrono::seconds handshake_timeout_;
  std::uint16_t bound_port_ = 0;
};

class UnixListener final : public RelayListener {
 public:
  UnixListener(asio::io_context& io, const std::string& path, std::uint16_t http_port,
               std::shared_ptr<RelayedRemotes> remotes)
      : loop_(io, [this](unix_socket::socket socket) { onAccepted(std::move(socket)); }),
        path_(path),
        http_port_(http_port),
        remotes_(std::move(remotes)) {
    auto fail = [&](const std::string& why) {
      throw std::runtime_error("cannot listen on unix socket " + path + ": " + why);
    };
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
      if (!S_ISSOCK(info.st_mode)) fail("a file that is not a socket is in the way");
      ::unlink(path.c_str());  // a socket left by an earlier run
    }
    error_code ec;
    auto& acceptor = loop_.acceptor();
    acceptor.open(unix_socket(), ec);
    if (!ec) acceptor.bind(unix_socket::endpoint(path), ec);
    if (ec) fail(ec.message());
    ::chmod(path.c_str(), 0660);  // the owner and its group (local tools), nobody else
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail(ec.message());
    bound_ = true;
  }

  ~UnixListener() override {
    if (bound_) ::unlink(path_.c_str());
  }

  void start() override { loop_.acceptNext(); }
  void close() override { loop_.close(); }
  std::uint16_t boundPort() const override { return 0; }

  void onAccepted(unix_socket::socket socket) {
    std::make_shared<RelayConnection<unix_socket::socket>>(std::move(socket), "unix", http_port_,
                                                           remotes_)
        ->start(std::chrono::seconds(0));
  }

 private:
  AcceptLoop<unix_socket> loop_;
  const std::string path_;
  const std::uint16_t http_port_;
  std::shared_ptr<RelayedRemotes> remotes_;
  bool bound_ = false;
};

}  // namespace

std::unique_ptr<RelayListener> RelayListener::tls(asio::io_context& io, const std::string& host,
                                                  std::uint16_t port, const TlsFiles& files,
                                                  std::uint16_t http_port,
                                                  std::shared_ptr<RelayedRemotes> remotes,
                                                  std::chrono::seconds handshake_timeout) {
  return std::make_unique<TlsListener>(io, host, port, files, http_port, std::move(remotes),
                                       handshake_timeout);
}

std::unique_ptr<RelayListener> RelayListener::unixSocket(asio::io_context& io,
                                                         const std::string& path,
                                                         std::uint16_t http_port,
                                                         std::shared_ptr<RelayedRemotes> remotes) {
  return std::make_unique<UnixListener>(io, path, http_port, std::move(remotes));
}

}  // namespace framewire::net
