#pragma once
// Applies WebRtcConfig's ICE settings to a fresh webrtcbin, before it negotiates: host
// candidate addresses (through the libnice agent), STUN/TURN servers, the UDP port range,
// ICE over UDP and/or TCP. Also the WHEP Link headers that tell clients about the servers.

#include <gst/gst.h>

#include <string>
#include <vector>

#include "transport/webrtc/webrtc_config.hpp"

namespace framewire::transport::webrtc {

// Returns warnings (an interface with no address, an unusable server URL); never throws.
std::vector<std::string> configureIce(GstElement* webrtcbin, const WebRtcConfig& config);

// `<stun:host:port>; rel="ice-server"`, with username/credential for TURN.
std::vector<std::string> iceServerLinks(const WebRtcConfig& config);

}  // namespace framewire::transport::webrtc
