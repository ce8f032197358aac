#pragma once
// Security settings (users file, failed-login throttling, sessions) as plain values, filled by
// settings_security.cpp. See docs/config.md#security.

#include <string>

namespace framewire::config {

struct SecuritySettings {
  // Users and tokens (`framewire user add NAME`). Empty: no login is asked, which is allowed
  // only while every listener is loopback (checkListenersSafe).
  std::string users_file;
  int auth_fail_delay_ms = 1000;   // every wrong password is answered this much later
  int auth_fail_limit = 5;         // failures per client address in the window, then 429
  int auth_fail_window_s = 60;     // the window (and how long an address stays refused)
  double session_hours = 12;       // a web login's cookie (and bearer token) lifetime

  // Viewer limits, checked when a viewer arrives (503 with a reason). 0: no limit of its own.
  int max_viewers = 500;             // Direct + MJPEG + WebRTC together
  int max_viewers_direct = 0;
  int max_viewers_mjpeg = 0;
  int webrtc_max_per_address = 16;   // WHEP sessions from one client address
  // WebSocket (Direct and events) limits.
  int ws_max_message_bytes = 4096;   // a bigger client message closes the socket (1009)
  int ws_handshake_timeout_s = 10;   // the upgrade must complete in this time

  // TLS on the listen address. With tls and no cert/key: a self-signed certificate made once
  // and kept in state_dir.
  bool tls = false;
  std::string tls_cert;
  std::string tls_key;
  std::string state_dir;  // empty: $XDG_STATE_HOME/framewire or ~/.local/state/framewire
  std::string unix_socket;  // also serve on this Unix stream socket; empty: no
};

// The state directory to use (state_dir, or the XDG default).
std::string stateDirectory(const SecuritySettings& settings);

struct Config;

// Throws ConfigError naming the listen address when framewire would serve a non-loopback
// address without asking for a login.
void checkListenersSafe(const Config& config);

// True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost".
bool isLoopbackHost(const std::string& host);

}  // namespace framewire::config
