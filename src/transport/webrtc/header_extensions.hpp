#pragma once
// RTP header extensions framewire answers (RFC 8285): only those it writes itself. Pure
// functions on parsed SDP, no GStreamer.
//
// Playout delay (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay): the sender tells
// the receiver the least and most time to hold a frame before rendering it. min = max = 0 makes
// Chromium render each frame as soon as it is decoded, with no jitter-buffer target and no
// render smoothing: the lowest latency a live view can have on a clean network.
//
// Absolute capture time (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time): the
// wall-clock time the first sample of the packet's frame was captured, as 64-bit NTP (UQ32.32).
// Chromium reports it per receiver (getSynchronizationSources() captureTimestamp) whatever the
// tracks' stream grouping, so the page can measure how far apart sound and picture play.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {

inline constexpr std::string_view kPlayoutDelayUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
inline constexpr std::string_view kAbsCaptureTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

// The id the section's "a=extmap:<id>[/<direction>] <uri>" gives `uri`; nothing when the
// section does not offer it or the id is outside the one-byte header's 1..14.
std::optional<int> offeredExtensionId(const MediaSection& section, std::string_view uri);

// "extmap:<id> <uri>" (no "a="), the answer's line.
std::string extmapAttribute(int id, std::string_view uri);

// The extension's 3 bytes: min and max delay as 12-bit counts of 10 ms (clamped to 0..40950).
std::array<std::uint8_t, 3> playoutDelayBytes(int min_ms, int max_ms);

// The extension's 8-byte form: `capture_us` (µs since the Unix epoch, framewire's capture
// clock) as NTP seconds since 1900 (upper 32 bits) and fraction (lower 32), big-endian. The
// optional estimated clock offset (the 16-byte form) is left out: the page compares two
// tracks of the same sender, so the offset cancels.
std::array<std::uint8_t, 8> absCaptureTimeBytes(std::int64_t capture_us);

}  // namespace framewire::transport::webrtc
