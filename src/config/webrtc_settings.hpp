#pragma once
// WebRTC (WHEP) settings as plain values, filled by settings_webrtc.cpp. config/ does not
// depend on transport/: the server turns these into the WebRTC transport's own config.

#include <cstdint>
#include <string>
#include <vector>

namespace framewire::config {

struct IceServerSetting {
  // Normalised: "stun:host:port", "turn:host:port" or "turns:host:port", with
  // "?transport=udp|tcp" when given. Credentials are kept apart.
  std::string url;
  std::string username;    // TURN only
  std::string credential;  // TURN only
};

struct WebRtcSettings {
  std::vector<IceServerSetting> ice_servers;
  // Host-candidate addresses or interface names. Empty: automatic (see docs/config.md):
  // listening on a loopback address adds 127.0.0.1 to every non-loopback interface,
  // otherwise libnice's default (every non-loopback interface).
  std::vector<std::string> interfaces;
  std::uint16_t udp_port_min = 0;  // 0 and 0: any port
  std::uint16_t udp_port_max = 0;
  std::string announce;  // IPv4 address put in the host candidates (1:1 NAT); empty: none
  bool ice_tcp = false;
  int max_peers = 20;
  double disconnect_timeout_s = 10;
  double connect_timeout_s = 20;
  bool playout_delay = true;  // answer the playout-delay header extension with 0 ms
  bool auto_branch = true;    // move viewers between branches of their codec (loss, RTT)
};

}  // namespace framewire::config
