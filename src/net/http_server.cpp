#include "net/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "net/http_session.hpp"

namespace framewire::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(std::shared_ptr<const Router> router, HttpLimits limits)
      : router_(std::move(router)), limits_(limits), gate_(std::make_shared<WakeGate>()) {}

  std::uint16_t listen(const std::string& host, std::uint16_t port) {
    const std::string where = hostPort(host, port);
    boost::system::error_code ec;
    tcp::resolver resolver(*io_);
    const auto results = resolver.resolve(
        host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      throw std::runtime_error("cannot listen on " + where + ": " +
                               (ec ? ec.message() : "host has no address"));
    }
    const tcp::endpoint endpoint = results.begin()->endpoint();
    auto acceptor = std::make_unique<tcp::acceptor>(*io_);
    auto check = [&](const boost::system::error_code& error) {
      if (error) throw std::runtime_error("cannot listen on " + where + ": " + error.message());
    };
    acceptor->open(endpoint.protocol(), ec);
    check(ec);
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    check(ec);
    acceptor->bind(endpoint, ec);
    check(ec);
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
    check(ec);
    const auto bound = acceptor->local_endpoint(ec);
    check(ec);
    acceptor_ = std::move(acceptor);
    return bound.port();
  }

  std::uint16_t listenTls(const std::string& host, std::uint16_t port, const TlsFiles& files) {
    relays_.push_back(RelayListener::tls(*io_, host, port, files, httpPort(), remotes_,
                                         limits_.websocket_handshake_timeout));
    return relays_.back()->boundPort();
  }

  void listenUnix(const std::string& path) {
    relays_.push_back(RelayListener::unixSocket(*io_, path, httpPort(), remotes_));
  }

  void run(std::size_t threads) {
    if (!acceptor_) throw std::logic_error("HttpServer::run before listen");
    accept();
    for (auto& relay : relays_) relay->start();
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
      threads_.emplace_back([this] { runLoop(); });
    }
  }

  void stop() {
    gate_->close();
    if (io_) {
      if (acceptor_) {
        asio::post(*io_, [this] {
          boost::system::error_code ignored;
          acceptor_->close(ignored);
          for (auto& relay : relays_) relay->close();
        });
      }
      io_->stop();
    }
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    threads_.clear();
    // Destroying the io_context destroys every session still waiting in it, so transports
    // release their bus subscriptions here, before the media engine goes away.
    retry_timer_.reset();
    relays_.clear();
    acceptor_.reset();
    io_.reset();
  }

  const WakeGatePtr& gate() const { return gate_; }
  const HttpLimits& limits() const { return limits_; }

 private:
  static std::string hostPort(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }

  std::uint16_t httpPort() const {
    if (!acceptor_) throw std::logic_error("HttpServer: listen() before a TLS or Unix listener");
    boost::system::error_code ec;
    return acceptor_->local_endpoint(ec).port();
  }

  // The real client behind a loopback connection from one of the relays, or empty.
  std::string relayedRemote(const tcp::socket& socket) const {
    if (relays_.empty()) return {};
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec || !peer.address().is_loopback()) return {};
    return remotes_->find(peer.port()).value_or(std::string());
  }

  void runLoop() {
    // No exception may end an io thread: log it and keep serving the others.
    for (;;) {
      try {
        io_->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("io thread: unhandled exception: {}", e.what());
      } catch (...) {
        spdlog::error("io thread: unhandled exception");
      }
    }
  }

  void accept() {
    acceptor_->async_accept(asio::make_strand(*io_),
                            [this](boost::system::error_code ec, tcp::socket socket) {
                              onAccept(ec, std::move(socket));
                            });
  }

  void onAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (ec) {
      // E.g. out of file descriptors: back off instead of spinning on accept.
      spdlog::warn("accept failed: {}", ec.message());
      retry_timer_ = std::make_unique<asio::steady_timer>(*io_, std::chrono::milliseconds(100));
      retry_timer_->async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // frames must not wait for Nagle
    std::string remote = relayedRemote(socket);
    std::make_shared<HttpSession>(std::move(socket), router_, limits_, gate_, std::move(remote))
        ->start();
    accept();
  }

  std::shared_ptr<const Router> router_;
  const HttpLimits limits_;
  WakeGatePtr gate_;
  std::unique_ptr<asio::io_context> io_ = std::make_unique<asio::io_context>(2);
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> retry_timer_;
  std::shared_ptr<RelayedRemotes> remotes_ = std::make_shared<RelayedRemotes>();
  std::vector<std::unique_ptr<RelayListener>> relays_;  // TLS and Unix-socket listeners
  std::vector<std::thread> threads_;
};

HttpServer::HttpServer(std::shared_ptr<const Router> router, HttpLimits limits)
    : impl_(std::make_unique<Impl>(std::move(router), limits)) {}

HttpServer::~HttpServer() { impl_->stop(); }

std::uint16_t HttpServer::listen(const std::string& host, std::uint16_t port) {
  return impl_->listen(host, port);
}

std::uint16_t HttpServer::listenTls(const std::string& host, std::uint16_t port,
                                    const TlsFiles& files) {
  return impl_->listenTls(host, port, files);
}

void HttpServer::listenUnix(const std::string& path) { impl_->listenUnix(path); }

void HttpServer::run(std::size_t threads) { impl_->run(threads); }
void HttpServer::stop() { impl_->stop(); }
const WakeGatePtr& HttpServer::wakeGate() const { return impl_->gate(); }
const HttpLimits& HttpServer::limits() const { return impl_->limits(); }

}  // namespace framewire::net
