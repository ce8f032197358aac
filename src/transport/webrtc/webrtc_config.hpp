#pragma once
// Settings of the WebRTC transport (WHEP). Plain values with working defaults; the YAML/CLI
// keys that fill them live in config/ (see docs/config.md).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace framewire::transport::webrtc {

struct IceServer {
  // "stun:host:port", "turn:host:port?transport=udp" or "turns:host:port?transport=tcp"
  std::string url;
  std::string username;    // TURN only
  std::string credential;  // TURN only
};

struct WebRtcConfig {
  std::size_t max_peers = 16;  // more POSTs get 503 "too many peers"

  // Host candidates: local IP addresses or interface names ("eth0") to gather on. Empty: every
  // non-loopback interface (libnice's default). "127.0.0.1" (or "lo") allows loopback, which
  // libnice otherwise skips.
  std::vector<std::string> interfaces;
  std::vector<IceServer> ice_servers;  // also sent to clients as Link rel="ice-server" headers
  std::uint16_t udp_port_min = 0;      // 0 and 0: any port
  std::uint16_t udp_port_max = 0;
  // 1:1 NAT: the public address put in place of the host candidates' IPv4 addresses.
  std::string announced_address;
  bool keep_host_candidates = false;  // with announced_address: also keep the private ones
  bool ice_udp = true;
  bool ice_tcp = false;  // passive ICE-TCP candidates, for networks that block UDP

  int gather_timeout_ms = 2000;             // answer with what was gathered by then
  int connect_timeout_ms = 20000;           // answered but never connected: removed
  int disconnect_timeout_ms = 10000;        // ICE disconnected this long: removed
  int rtcp_timeout_ms = 15000;              // connected but no RTCP from the client: removed
  int stats_interval_ms = 1000;             // how often peers' webrtcbin stats are polled
  std::size_t max_offer_bytes = 64 * 1024;  // larger bodies get 413

  // Answer the playout-delay header extension (when offered) and send min = max = 0 with
  // every packet: the browser renders frames as soon as they are decoded.
  bool playout_delay = true;

  // Move viewers between branches of their codec from their receiver reports (loss, RTT);
  // a viewer's ?auto=0|1 overrides it. A switch whose branch sends no keyframe in
  // switch_timeout_ms is dropped.
  bool auto_branch = true;
  int switch_timeout_ms = 5000;

  // The branch's H.264 profile-level-id until its first keyframe shows the real SPS.
  std::string h264_profile_level_id = "42e01f";
};

}  // namespace framewire::transport::webrtc
