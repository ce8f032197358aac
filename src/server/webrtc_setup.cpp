#include "server/webrtc_setup.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <cmath>

namespace framewire::server {

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

std::vector<std::string> defaultWebRtcInterfaces(const std::string& listen_host) {
  std::vector<std::string> out;
  if (!isLoopbackHost(listen_host)) return out;
  out.emplace_back("127.0.0.1");
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (auto* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || !it->ifa_name) continue;
    if ((it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const auto family = it->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    if (std::find(out.begin(), out.end(), it->ifa_name) == out.end()) {
      out.emplace_back(it->ifa_name);
    }
  }
  freeifaddrs(list);
  return out;
}

transport::webrtc::WebRtcConfig webRtcConfigFor(const config::Config& config) {
  const auto& s = config.webrtc;
  transport::webrtc::WebRtcConfig out;
  out.max_peers = static_cast<std::size_t>(s.max_peers);
  out.interfaces =
      s.interfaces.empty() ? defaultWebRtcInterfaces(config.listen_host) : s.interfaces;
  for (const auto& server : s.ice_servers) {
    out.ice_servers.push_back({server.url, server.username, server.credential});
  }
  out.udp_port_min = s.udp_port_min;
  out.udp_port_max = s.udp_port_max;
  out.announced_address = s.announce;
  out.ice_tcp = s.ice_tcp;
  out.playout_delay = s.playout_delay;
  out.auto_branch = s.auto_branch;
  out.disconnect_timeout_ms = static_cast<int>(std::lround(s.disconnect_timeout_s * 1000));
  out.connect_timeout_ms = static_cast<int>(std::lround(s.connect_timeout_s * 1000));
  // A browser that vanished (tab closed, network gone) often leaves ICE "connected" for a
  // while; its RTCP reports stop at once. Tie that timeout to the disconnect one, so a low
  // webrtc-disconnect-timeout reaps such peers quickly too (default: 10 + 5 = 15 s).
  out.rtcp_timeout_ms = std::max(5000, out.disconnect_timeout_ms + 5000);
  return out;
}

}  // namespace framewire::server
