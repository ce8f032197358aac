#pragma once
// Writes the playout-delay RTP header extension (header_extensions.hpp) into every packet a
// payloader sends, as a one-byte header (RFC 8285), from a pad probe (rtp_packet_probe.hpp).

#include <gst/gst.h>

namespace framewire::transport::webrtc {

// `id`: the client's extmap id (1..14). Delays in ms (Chromium: 0 and 0 = render at once).
void addPlayoutDelayProbe(GstElement* payloader, int id, int min_ms, int max_ms);

}  // namespace framewire::transport::webrtc
