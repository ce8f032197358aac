#pragma once
// /stream (and /?action=stream): MJPEG over multipart/x-mixed-replace. The session watches the
// JPEG bus and, whenever its socket is ready for more, sends the newest picture; pictures
// published meanwhile are skipped, so a slow client gets fewer pictures, never older ones.

#include <chrono>
#include <memory>

#include "bus/latest_frame_bus.hpp"
#include "net/router.hpp"
#include "transport/client_registry.hpp"

namespace framewire::transport::mjpeg {

struct MjpegOptions {
  std::chrono::seconds write_timeout{15};         // a part that cannot be written this long ends it
  std::chrono::milliseconds max_first_age{1000};  // start with bus.latest() if this fresh
};

// Runs the stream on the handed-over connection until the client leaves. Call on the
// connection's strand (a net::Takeover does).
void startMjpegSession(std::shared_ptr<net::Handoff> handoff, bus::LatestFrameBus& bus,
                       ClientRegistry& registry, MjpegOptions options = {});

}  // namespace framewire::transport::mjpeg
