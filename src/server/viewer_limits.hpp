#pragma once
// Viewer limits (docs/protocol.md#limits): before a stream, a Direct socket or a WHEP offer is
// routed, the viewers already there are counted; past a limit the answer is 503 with a reason
// and Retry-After. Checked on arrival (a burst of simultaneous arrivals may pass together).

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "net/router.hpp"

namespace framewire::server {

struct RouteContext;

class ViewerLimits {
 public:
  explicit ViewerLimits(RouteContext& context) : context_(context) {}

  // Nothing: within the limits (or not a viewer request). Otherwise the 503 to send.
  std::optional<net::Reply> check(const net::HttpRequest& request);

 private:
  // WHEP offers accepted lately from each address: /api/state's peer list lags up to 1 s.
  int recentOffers(const std::string& address, std::chrono::steady_clock::time_point now);

  RouteContext& context_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> recent_offers_;
};

// "direct", "mjpeg", "webrtc", or empty when the request does not start a viewer.
std::string viewerModeOf(const net::HttpRequest& request);

}  // namespace framewire::server
