#include "transport/webrtc/capture_time_probe.hpp"

#include <utility>

#include "transport/webrtc/header_extensions.hpp"
#include "transport/webrtc/rtp_packet_probe.hpp"

namespace framewire::transport::webrtc {

void addCaptureTimeProbe(GstElement* payloader, int id, std::shared_ptr<const CaptureTimes> times) {
  const auto ext_id = static_cast<std::uint8_t>(id);
  addPacketProbe(payloader, [ext_id, times = std::move(times)](GstBuffer* packet) {
    if (!GST_BUFFER_PTS_IS_VALID(packet)) return;
    const auto capture_us = times->find(GST_BUFFER_PTS(packet));
    if (!capture_us) return;
    const auto bytes = absCaptureTimeBytes(*capture_us);
    addOneByteExtension(packet, ext_id, bytes.data(), bytes.size());
  });
}

}  // namespace framewire::transport::webrtc
