#pragma once
// Turns the WebRTC settings (config/) into the WebRTC transport's config, applying the
// documented defaults that depend on the rest of the config (docs/config.md, "WebRTC").

#include <string>
#include <vector>

#include "config/config.hpp"
#include "transport/webrtc/webrtc_config.hpp"

namespace framewire::server {

transport::webrtc::WebRtcConfig webRtcConfigFor(const config::Config& config);

// The host-candidate interfaces when webrtc-interfaces is not set: listening on a loopback
// address (127.x, ::1, localhost) gives 127.0.0.1 plus every up, non-loopback interface
// (libnice skips loopback unless it is named, and a local browser then connects over
// loopback); otherwise empty (libnice's default: every non-loopback interface).
std::vector<std::string> defaultWebRtcInterfaces(const std::string& listen_host);

bool isLoopbackHost(const std::string& host);

}  // namespace framewire::server
