#include "server/server.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "net/http_server.hpp"
#include "server/routes.hpp"

#ifndef FRAMEWIRE_WEB_DIR
#define FRAMEWIRE_WEB_DIR "web"
#endif

namespace framewire::server {

namespace {

// Two io threads: enough for this machine's two cores (the encoder needs the rest), and a
// slow handler never blocks the whole server.
constexpr std::size_t kIoThreads = 2;

std::string webDir(const config::Config& config) {
  return config.web_dir.empty() ? std::string(FRAMEWIRE_WEB_DIR) : config.web_dir;
}

}  // namespace

class Server::Impl {
 public:
  Impl(const config::Config& config, media::MediaEngine& media)
      : context_{config, media, {}, StaticFiles(webDir(config)), core::steadyMicros()} {}

  void start() {
    if (http_) throw std::logic_error("Server::start called twice");
    auto http = std::make_unique<net::HttpServer>(buildRoutes(context_));
    const auto& host = context_.config.listen_host;
    port_ = http->listen(host, context_.config.listen_port);
    http->run(kIoThreads);
    http_ = std::move(http);
    const bool v6 = host.find(':') != std::string::npos;
    spdlog::info("listening on http://{}:{}/", v6 ? "[" + host + "]" : host, port_);
  }

  void stop() {
    if (!http_) return;
    http_->stop();
    http_.reset();
    spdlog::info("server stopped");
  }

  std::uint16_t port() const { return port_; }

 private:
  RouteContext context_;
  std::unique_ptr<net::HttpServer> http_;
  std::uint16_t port_ = 0;
};

Server::Server(const config::Config& config, media::MediaEngine& media)
    : impl_(std::make_unique<Impl>(config, media)) {}

Server::~Server() { impl_->stop(); }

void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
std::uint16_t Server::port() const { return impl_->port(); }

}  // namespace framewire::server
