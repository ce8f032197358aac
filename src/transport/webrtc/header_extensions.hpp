#pragma once
// RTP header extensions framewire answers (RFC 8285): only those it writes itself. Pure
// functions on parsed SDP, no GStreamer.
//
// Playout delay (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay): the sender tells
// the receiver the least and most time to hold a frame before rendering it. min = max = 0 makes
// Chromium render each frame as soon as it is decoded, with no jitter-buffer target and no
// render smoothing: the lowest latency a live view can have on a clean network.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

inline constexpr std::string_view kPlayoutDelayUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

// The id the section's "a=extmap:<id>[/<direction>] <uri>" gives `uri`; nothing when the
// section does not offer it or the id is outside the one-byte header's 1..14.
std::optional<int> offeredExtensionId(const MediaSection& section, std::string_view uri);

// "extmap:<id> <uri>" (no "a="), the answer's line.
std::string extmapAttribute(int id, std::string_view uri);

// The extension's 3 bytes: min and max delay as 12-bit counts of 10 ms (clamped to 0..40950).
std::array<std::uint8_t, 3> playoutDelayBytes(int min_ms, int max_ms);

}  // namespace framewire::transport::webrtc
