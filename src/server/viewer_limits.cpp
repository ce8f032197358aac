#include "server/viewer_limits.hpp"

#include <fmt/format.h>

#include "net/auth/credentials.hpp"
#include "server/routes.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::server {
namespace {

// A WHEP offer counts against its address from its POST for this long (or while its peer is
// listed), to cover the peer list's lag of up to 1 s behind an answer. Kept short: the POST is
// counted before it is parsed, so a refused or deleted offer must not hold the address's
// place for long (a page reloading, a test of bad offers).
constexpr auto kRecentWindow = std::chrono::seconds(2);

net::Reply refuse(const std::string& reason) {
  auto response = net::errorResponse(503, reason);
  response.set("Retry-After", "5");
  return net::Reply::now(std::move(response));
}

}  // namespace

std::string viewerModeOf(const net::HttpRequest& request) {
  if (request.method == "POST" && request.path == "/whep") return "webrtc";
  if (request.method != "GET") return "";
  if (request.path == "/stream") return "mjpeg";
  if (request.path == "/" && request.param("action") == "stream") return "mjpeg";
  if (request.path == "/ws/direct" && request.websocket_upgrade) return "direct";
  return "";
}

int ViewerLimits::recentOffers(const std::string& address,
                               std::chrono::steady_clock::time_point now) {
  if (recent_offers_.size() > 1000) {  // bounded: forget addresses with nothing recent
    std::erase_if(recent_offers_, [now](const auto& entry) {
      return entry.second.empty() || now - entry.second.back() > kRecentWindow;
    });
  }
  auto& list = recent_offers_[address];
  while (!list.empty() && now - list.front() > kRecentWindow) list.pop_front();
  const int count = static_cast<int>(list.size());
  if (list.empty()) recent_offers_.erase(address);
  return count;
}

std::optional<net::Reply> ViewerLimits::check(const net::HttpRequest& request) {
  const std::string mode = viewerModeOf(request);
  if (mode.empty()) return std::nullopt;
  const auto& limits = context_.config.security;

  int direct = 0;
  int mjpeg = 0;
  for (const auto& client : context_.clients.snapshot()) {
    if (client.mode.starts_with("direct")) ++direct;
    if (client.mode == "mjpeg") ++mjpeg;
  }
  int webrtc = 0;
  int webrtc_here = 0;
  const std::string address = net::auth::addressOf(request.remote);
  if (context_.whep) {
    const auto stats = context_.whep->stats();
    if (stats.contains("peers") && stats["peers"].is_array()) {
      for (const auto& peer : stats["peers"]) {
        ++webrtc;
        if (peer.contains("remote") && peer["remote"].is_string() &&
            net::auth::addressOf(peer["remote"].get<std::string>()) == address) {
          ++webrtc_here;
        }
      }
    }
  }

  const int total = direct + mjpeg + webrtc;
  if (limits.max_viewers > 0 && total >= limits.max_viewers) {
    return refuse(fmt::format("too many viewers: {} watching, max-viewers is {}", total,
                              limits.max_viewers));
  }
  if (mode == "direct" && limits.max_viewers_direct > 0 && direct >= limits.max_viewers_direct) {
    return refuse(fmt::format("too many Direct viewers: {} watching, max-viewers-direct is {}",
                              direct, limits.max_viewers_direct));
  }
  if (mode == "mjpeg" && limits.max_viewers_mjpeg > 0 && mjpeg >= limits.max_viewers_mjpeg) {
    return refuse(fmt::format("too many MJPEG viewers: {} watching, max-viewers-mjpeg is {}",
                              mjpeg, limits.max_viewers_mjpeg));
  }
  if (mode == "webrtc" && limits.webrtc_max_per_address > 0) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    const int here = std::max(webrtc_here, recentOffers(address, now));
    if (here >= limits.webrtc_max_per_address) {
      return refuse(fmt::format(
          "too many WebRTC sessions from {}: {} open, webrtc-max-per-address is {}", address,
          here, limits.webrtc_max_per_address));
    }
    recent_offers_[address].push_back(now);
  }
  return std::nullopt;
}

}  // namespace framewire::server
