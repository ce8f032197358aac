#include "transport/webrtc/playout_delay_probe.hpp"

#include "transport/webrtc/header_extensions.hpp"
#include "transport/webrtc/rtp_packet_probe.hpp"

namespace framewire::transport::webrtc {

void addPlayoutDelayProbe(GstElement* payloader, int id, int min_ms, int max_ms) {
  const auto ext_id = static_cast<std::uint8_t>(id);
  addPacketProbe(payloader, [ext_id, bytes = playoutDelayBytes(min_ms, max_ms)](GstBuffer* packet) {
    addOneByteExtension(packet, ext_id, bytes.data(), bytes.size());
  });
}

}  // namespace framewire::transport::webrtc
