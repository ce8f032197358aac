#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;  // any other name may resolve anywhere
}

std::string stateDirectory(const SecuritySettings& settings) {
  if (!settings.state_dir.empty()) return settings.state_dir;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/framewire";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/state/framewire";
  }
  return "framewire-state";
}

void checkListenersSafe(const Config& config) {
  const auto& s = config.security;
  if (s.tls_cert.empty() != s.tls_key.empty()) {
    throw ConfigError(fmt::format("{}: tls-cert and tls-key go together (or neither, for a "
                                  "self-signed certificate)",
                                  s.tls_cert.empty() ? "tls-key" : "tls-cert"));
  }
  if (!config.security.users_file.empty()) return;
  if (isLoopbackHost(config.listen_host)) return;
  throw ConfigError(fmt::format(
      "listen {}:{} is not a loopback address and no login is set up: add a user "
      "(framewire user add NAME --users-file FILE) and pass --users-file FILE, or listen on "
      "127.0.0.1",
      config.listen_host, config.listen_port));
}

// Authentication settings.
void addSecuritySettings(std::vector<Setting>& t) {
  const SecuritySettings d;
  t.push_back({{"users-file", "FILE",
                "users and tokens (framewire user add NAME); when set, every route but "
                "/api/health and the login page needs a login",
                ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.security.users_file = v;
               }});
  t.push_back({{"auth-fail-delay", "MS", "answer a wrong password this much later, 0 to 10000",
                std::to_string(d.auth_fail_delay_ms)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.auth_fail_delay_ms = static_cast<int>(parseInteger(w, v, 0, 10000));
               }});
  t.push_back({{"auth-fail-limit", "N",
                "wrong passwords per client address in the window before 429, 1 to 1000",
                std::to_string(d.auth_fail_limit)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.auth_fail_limit = static_cast<int>(parseInteger(w, v, 1, 1000));
               }});
  t.push_back({{"auth-fail-window", "SECONDS",
                "window of the failure count (an address over the limit waits it out), 1 to 86400",
                std::to_string(d.auth_fail_window_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.auth_fail_window_s = static_cast<int>(parseInteger(w, v, 1, 86400));
               }});
  t.push_back({{"session-hours", "HOURS",
                "lifetime of a web login (cookie and bearer token), 0.01 to 720",
                fmt::format("{:g}", d.session_hours)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.session_hours = parseNumber(w, v, 0.01, 720);
               }});
}

// TLS and the Unix socket.
void addTlsSettings(std::vector<Setting>& t) {
  t.push_back({{"tls", "BOOL",
                "serve HTTPS on the listen address (without tls-cert/tls-key: a self-signed "
                "certificate, made once and kept in state-dir)",
                "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 const auto choice = parseChoice(w, v, {"true", "false", "yes", "no", "on", "off"});
                 c.security.tls = choice == "true" || choice == "yes" || choice == "on";
               }});
  t.push_back({{"tls-cert", "FILE", "PEM certificate chain for HTTPS (implies tls)", ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.security.tls_cert = v;
                 c.security.tls = true;
               }});
  t.push_back({{"tls-key", "FILE", "PEM private key of tls-cert", ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.security.tls_key = v;
                 c.security.tls = true;
               }});
  t.push_back({{"state-dir", "DIR",
                "where framewire keeps what it makes (the self-signed certificate)",
                "~/.local/state/framewire"},
               [](Config& c, const std::string&, const std::string& v) {
                 c.security.state_dir = v;
               }});
  t.push_back({{"unix-socket", "PATH",
                "also serve on this Unix stream socket (mode 0660; e.g. curl --unix-socket)", ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.security.unix_socket = v;
               }});
}

// Viewer and WebSocket limits.
void addLimitSettings(std::vector<Setting>& t) {
  const SecuritySettings d;
  auto count = [](int SecuritySettings::*field, long long max) {
    return [field, max](Config& c, const std::string& w, const std::string& v) {
      c.security.*field = static_cast<int>(parseInteger(w, v, 0, max));
    };
  };
  t.push_back({{"max-viewers", "N",
                "most viewers at once, Direct + MJPEG + WebRTC (503 past it); 0: no limit",
                std::to_string(d.max_viewers)},
               count(&SecuritySettings::max_viewers, 100000)});
  t.push_back({{"max-viewers-direct", "N", "most Direct viewers at once; 0: only max-viewers",
                std::to_string(d.max_viewers_direct)},
               count(&SecuritySettings::max_viewers_direct, 100000)});
  t.push_back({{"max-viewers-mjpeg", "N", "most MJPEG viewers at once; 0: only max-viewers",
                std::to_string(d.max_viewers_mjpeg)},
               count(&SecuritySettings::max_viewers_mjpeg, 100000)});
  t.push_back({{"webrtc-max-per-address", "N",
                "most WHEP sessions from one client address; 0: only webrtc-max-peers",
                std::to_string(d.webrtc_max_per_address)},
               count(&SecuritySettings::webrtc_max_per_address, 1000)});
  t.push_back({{"ws-max-message", "BYTES",
                "largest WebSocket message a client may send, 256 to 1048576",
                std::to_string(d.ws_max_message_bytes)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.ws_max_message_bytes =
                     static_cast<int>(parseInteger(w, v, 256, 1048576));
               }});
  t.push_back({{"ws-handshake-timeout", "SECONDS",
                "time a WebSocket upgrade may take, 1 to 300",
                std::to_string(d.ws_handshake_timeout_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.security.ws_handshake_timeout_s = static_cast<int>(parseInteger(w, v, 1, 300));
               }});
}

}  // namespace framewire::config
