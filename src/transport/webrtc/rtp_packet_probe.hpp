#pragma once
// Rewrites every RTP packet a payloader sends, from a pad probe on its src pad: single buffers
// and the buffer lists rtph264pay pushes when it fragments an access unit. GStreamer 1.22 has
// no header-extension element for the extensions framewire writes (playout delay,
// abs-capture-time), so their probes share this.

#include <gst/gst.h>

#include <cstddef>
#include <cstdint>
#include <functional>

namespace framewire::transport::webrtc {

// Called with each packet, already writable.
using PacketWriter = std::function<void(GstBuffer* packet)>;

void addPacketProbe(GstElement* payloader, PacketWriter write);

// Adds a one-byte-header extension (RFC 8285) to a writable RTP packet; the header memory
// grows to take it if needed.
void addOneByteExtension(GstBuffer* packet, std::uint8_t id, const std::uint8_t* data, std::size_t size);

}  // namespace framewire::transport::webrtc
