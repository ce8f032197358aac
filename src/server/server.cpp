#include "server/server.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "media/audio/audio_engine.hpp"
#include "media/media_engine.hpp"
#include "net/http_server.hpp"
#include "server/auth_setup.hpp"
#include "server/event_wiring.hpp"
#include "server/viewer_limits.hpp"
#include "server/record_routes.hpp"
#include "server/routes.hpp"
#include "server/settings_routes.hpp"
#include "server/webrtc_setup.hpp"
#include "server/whep_routes.hpp"
#include "transport/events/event_hub.hpp"
#include "transport/webrtc/whep_service.hpp"

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
      : context_{config,  media,   {},     StaticFiles(webDir(config)), core::steadyMicros(),
                 nullptr, nullptr, nullptr, nullptr},
        audio_(std::make_unique<media::AudioEngine>(config)) {
    if (audio_->bus()) context_.audio = audio_.get();
  }

  void start() {
    if (http_) throw std::logic_error("Server::start called twice");
    audio_->start();
    startWebRtcAndEvents();
    record_routes_ = std::make_unique<RecordRoutes>(context_.config, context_.media.h264Bus(),
                                                    context_.events, context_.audio);
    context_.record_routes = record_routes_.get();
    record_routes_->start();
    auto router = buildRoutes(context_);
    limits_ = std::make_unique<ViewerLimits>(context_);
    auth_ = installGuards(context_.config, *router, *limits_);
    auto http = std::make_unique<net::HttpServer>(router);
    const auto& host = context_.config.listen_host;
    const auto& security = context_.config.security;
    if (security.tls) {
      // TLS is terminated in front of a plain listener that only loopback can reach.
      http->listen("127.0.0.1", 0);
      port_ = http->listenTls(host, context_.config.listen_port, tlsFilesFor(context_.config));
    } else {
      port_ = http->listen(host, context_.config.listen_port);
    }
    if (!security.unix_socket.empty()) http->listenUnix(security.unix_socket);
    http->run(kIoThreads);
    http_ = std::move(http);
    const bool v6 = host.find(':') != std::string::npos;
    spdlog::info("listening on {}://{}:{}/", security.tls ? "https" : "http",
                 v6 ? "[" + host + "]" : host, port_);
    if (!security.unix_socket.empty()) spdlog::info("listening on unix:{}", security.unix_socket);
  }

  void stop() {
    if (!http_) return;
    http_->stop();
    http_.reset();
    // The recording's file is finished before the media engine stops feeding it.
    if (record_routes_) record_routes_->stop();
    context_.record_routes = nullptr;
    record_routes_.reset();
    // Before the media engine stops (the peers read its bus). The worker first: its calls
    // wait for the service's control thread.
    if (whep_routes_) whep_routes_->stop();
    if (whep_) whep_->stop();
    context_.whep_routes = nullptr;
    context_.whep = nullptr;
    whep_routes_.reset();
    whep_.reset();
    context_.clients.setListener(nullptr);
    context_.audio = nullptr;
    audio_->stop();  // after the peers and sessions that listened to it
    spdlog::info("server stopped");
  }

  std::uint16_t port() const { return port_; }

 private:
  void startWebRtcAndEvents() {
    auto hub = std::make_shared<transport::events::EventHub>();
    context_.events = hub;
    publishClientEvents(context_.clients, hub);
    publishMediaEvents(context_.media, hub);

    auto& media = context_.media;
    const auto webrtc = webRtcConfigFor(context_.config);
    whep_ = std::make_unique<transport::webrtc::WhepService>(
        webrtc, [&media](std::string_view branch) { return whepBranchesFor(media, branch); });
    publishWebRtcEvents(*whep_, hub);
    if (context_.audio) {
      const auto& f = context_.audio->format();
      whep_->setAudio(context_.audio->bus(), {f.rtp_encoding, f.rtp_clock_rate, f.channels},
                      f.frame_ms);
    }
    if (context_.config.audio.microphone) {
      whep_->setMicrophone({context_.config.audio.microphone_sink});
    }
    // The answer waits for candidate gathering; leave room for a busy control thread.
    whep_routes_ = std::make_unique<WhepRoutes>(
        *whep_, std::chrono::milliseconds(webrtc.gather_timeout_ms + 10000));
    context_.whep = whep_.get();
    context_.whep_routes = whep_routes_.get();
  }

  RouteContext context_;
  std::unique_ptr<media::AudioEngine> audio_;  // its bus is null when audio is off
  std::unique_ptr<transport::webrtc::WhepService> whep_;
  std::unique_ptr<WhepRoutes> whep_routes_;
  std::unique_ptr<RecordRoutes> record_routes_;
  std::unique_ptr<ViewerLimits> limits_;
  std::shared_ptr<net::auth::Authenticator> auth_;  // null: no login asked (loopback only)
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
