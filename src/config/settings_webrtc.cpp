// WebRTC (WHEP) settings: ICE servers, host-candidate interfaces, ports, 1:1 NAT, limits and
// timeouts. Every error names the key, the value and what would be valid.

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>
#include <string_view>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

[[noreturn]] void reject(const std::string& where, const std::string& value,
                         std::string_view valid) {
  throw ConfigError(fmt::format("{}: '{}' is not valid: {}", where, value, valid));
}

bool isIpv4(const std::string& text) {
  in_addr buf;
  return inet_pton(AF_INET, text.c_str(), &buf) == 1;
}

bool isIpv6(const std::string& text) {
  in6_addr buf;
  return inet_pton(AF_INET6, text.c_str(), &buf) == 1;
}

// Linux interface names: 1 to 15 characters, no '/', ':' or whitespace.
bool isInterfaceName(const std::string& text) {
  if (text.empty() || text.size() > 15) return false;
  for (unsigned char c : text) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@')) return false;
  }
  return true;
}

bool isHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '-' || c == '.')) return false;
  }
  return true;
}

constexpr std::string_view kIceServerValid =
    "must be stun:HOST[:PORT], turn:USER:PASSWORD@HOST[:PORT][?transport=udp|tcp] or "
    "turns:USER:PASSWORD@HOST[:PORT][?transport=tcp] (e.g. stun:stun.example.org:3478, "
    "turn:user:pass@turn.example.org:3478?transport=udp)";

// "turn:user:pass@host:3478?transport=udp" → {url "turn:host:3478?transport=udp", user, pass}.
IceServerSetting parseIceServer(const std::string& where, const std::string& value) {
  const auto fail = [&](std::string_view why) {
    reject(where, value, fmt::format("{}; {}", why, kIceServerValid));
  };
  const auto colon = value.find(':');
  if (colon == std::string::npos) fail("no scheme");
  const std::string scheme = value.substr(0, colon);
  if (scheme != "stun" && scheme != "turn" && scheme != "turns") {
    fail(fmt::format("unknown scheme '{}' (valid: stun, turn, turns)", scheme));
  }
  std::string rest = value.substr(colon + 1);
  if (rest.starts_with("//")) rest.erase(0, 2);  // tolerate "stun://host:port"

  IceServerSetting server;
  std::string query;
  if (const auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.erase(q);
  }
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    rest.erase(0, at + 1);
    const auto sep = credentials.find(':');
    if (sep == std::string::npos || sep == 0 || sep + 1 == credentials.size()) {
      fail("credentials must be USER:PASSWORD");
    }
    server.username = credentials.substr(0, sep);
    server.credential = credentials.substr(sep + 1);
  }
  if (scheme == "stun" && !server.username.empty()) fail("stun takes no credentials");
  if (scheme != "stun" && server.username.empty()) fail(scheme + " needs USER:PASSWORD@");

  // Host: a name, an IPv4 address or a bracketed IPv6 address; then an optional port.
  std::string host;
  std::string port_text;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string::npos) fail("unclosed '[' in the IPv6 address");
    host = rest.substr(1, close - 1);
    if (!isIpv6(host)) fail(fmt::format("'{}' is not an IPv6 address", host));
    host = "[" + host + "]";
    const std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') fail("expected ':PORT' after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const auto sep = rest.find(':');
    host = rest.substr(0, sep);
    if (sep != std::string::npos) port_text = rest.substr(sep + 1);
    if (!isHostName(host)) fail(fmt::format("'{}' is not a host name or address", host));
  }
  long long port = scheme == "turns" ? 5349 : 3478;
  if (!port_text.empty()) {
    try {
      port = parseInteger(where, port_text, 1, 65535);
    } catch (const ConfigError&) {
      fail(fmt::format("port '{}' must be a whole number from 1 to 65535", port_text));
    }
  }

  std::string transport;
  if (!query.empty()) {
    if (scheme == "stun") fail("stun takes no ?transport=");
    if (query == "transport=udp") {
      transport = "udp";
    } else if (query == "transport=tcp") {
      transport = "tcp";
    } else {
      fail(fmt::format("unknown query '{}' (valid: transport=udp, transport=tcp)", query));
    }
    if (scheme == "turns" && transport == "udp") fail("turns runs over TLS: transport=tcp only");
  }
  server.url = fmt::format("{}:{}:{}", scheme, host, port);
  if (!transport.empty()) server.url += "?transport=" + transport;
  return server;
}

std::pair<std::uint16_t, std::uint16_t> parsePortRange(const std::string& where,
                                                       const std::string& value) {
  constexpr std::string_view kValid =
      "must be MIN-MAX with 1 <= MIN <= MAX <= 65535 (e.g. 40000-40100)";
  const auto dash = value.find('-');
  if (dash == std::string::npos) reject(where, value, kValid);
  long long min = 0;
  long long max = 0;
  try {
    min = parseInteger(where, value.substr(0, dash), 1, 65535);
    max = parseInteger(where, value.substr(dash + 1), 1, 65535);
  } catch (const ConfigError&) {
    reject(where, value, kValid);
  }
  if (min > max) reject(where, value, kValid);
  return {static_cast<std::uint16_t>(min), static_cast<std::uint16_t>(max)};
}

bool parseBool(const std::string& where, const std::string& value) {
  if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
  if (value == "false" || value == "no" || value == "off" || value == "0") return false;
  reject(where, value, "must be true or false");
}

}  // namespace

void addWebRtcSettings(std::vector<Setting>& t) {
  const WebRtcSettings d;
  t.push_back({{"ice-server", "URL",
                "STUN/TURN server for WebRTC, e.g. stun:host:3478 or "
                "turn:user:pass@host:3478?transport=udp",
                ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.ice_servers.push_back(parseIceServer(w, v));
               },
               [](Config& c) { c.webrtc.ice_servers.clear(); }});
  t.push_back({{"webrtc-interfaces", "IP|NAME",
                "addresses or interface names for WebRTC host candidates (default: every "
                "non-loopback interface, plus 127.0.0.1 when listening on loopback)",
                ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (!isIpv4(v) && !isIpv6(v) && !isInterfaceName(v)) {
                   reject(w, v,
                          "must be an IP address (e.g. 192.168.1.10) or an interface name "
                          "(e.g. eth0)");
                 }
                 c.webrtc.interfaces.push_back(v);
               },
               [](Config& c) { c.webrtc.interfaces.clear(); }});
  t.push_back({{"webrtc-udp-ports", "MIN-MAX", "UDP port range for WebRTC (default: any port)", ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 std::tie(c.webrtc.udp_port_min, c.webrtc.udp_port_max) = parsePortRange(w, v);
               }});
  t.push_back({{"webrtc-announce", "IPV4",
                "public IPv4 address announced in place of the host candidates (1:1 NAT)", ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (!isIpv4(v)) reject(w, v, "must be an IPv4 address (e.g. 203.0.113.7)");
                 c.webrtc.announce = v;
               }});
  t.push_back(
      {{"webrtc-ice-tcp", "BOOL", "also offer passive ICE-TCP candidates (networks that block UDP)",
        d.ice_tcp ? "true" : "false"},
       [](Config& c, const std::string& w, const std::string& v) {
         c.webrtc.ice_tcp = parseBool(w, v);
       }});
  t.push_back({{"webrtc-playout-delay", "BOOL",
                "ask browsers to render each frame as soon as it is decoded (playout-delay "
                "RTP header extension, 0 ms)",
                d.playout_delay ? "true" : "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.playout_delay = parseBool(w, v);
               }});
  t.push_back({{"webrtc-auto-branch", "BOOL",
                "move each WebRTC viewer to a lighter branch of its codec after sustained loss "
                "or high round-trip time, and back after a long clean period (?auto=0|1 per "
                "viewer)",
                d.auto_branch ? "true" : "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.auto_branch = parseBool(w, v);
               }});
  t.push_back({{"webrtc-max-peers", "N", "most WebRTC peers at once, 1 to 1000",
                std::to_string(d.max_peers)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.max_peers = static_cast<int>(parseInteger(w, v, 1, 1000));
               }});
  t.push_back({{"webrtc-disconnect-timeout", "SECONDS",
                "remove a WebRTC peer whose ICE stays disconnected or failed this long, "
                "0.5 to 3600",
                fmt::format("{:g}", d.disconnect_timeout_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.disconnect_timeout_s = parseNumber(w, v, 0.5, 3600);
               }});
  t.push_back({{"webrtc-connect-timeout", "SECONDS",
                "remove a WebRTC peer that has not connected this long after its answer, "
                "1 to 3600",
                fmt::format("{:g}", d.connect_timeout_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.webrtc.connect_timeout_s = parseNumber(w, v, 1, 3600);
               }});
}

}  // namespace framewire::config
