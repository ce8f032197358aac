#pragma once
// Writes the abs-capture-time RTP header extension (header_extensions.hpp) into every packet a
// payloader sends: its frame's capture time, looked up by the packet's PTS (the payloaders keep
// the input buffer's PTS on each packet) in what the feed thread recorded (capture_times.hpp).
// A packet whose PTS is not found goes without it (Chromium interpolates from the last one).
// A pad probe on the payloader's src pad (rtp_packet_probe.hpp), as for playout delay.

#include <gst/gst.h>

#include <memory>

#include "transport/webrtc/capture_times.hpp"

namespace framewire::transport::webrtc {

// `id`: the client's extmap id (1..14, one-byte header).
void addCaptureTimeProbe(GstElement* payloader, int id, std::shared_ptr<const CaptureTimes> times);

}  // namespace framewire::transport::webrtc
