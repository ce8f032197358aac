#pragma once
// /snapshot (and /?action=snapshot): one JPEG. The newest picture when it is fresh; otherwise
// the session waits for the next one (the JPEG branch starts on demand) up to a time limit,
// then answers 503.

#include <chrono>

#include "bus/latest_frame_bus.hpp"
#include "net/router.hpp"

namespace framewire::transport::mjpeg {

struct SnapshotOptions {
  std::chrono::milliseconds max_age{1000};  // a picture older than this is not "fresh"
  std::chrono::milliseconds timeout{5000};
};

// The JPEG as an HTTP response (image/jpeg, no caching, X-Timestamp).
net::HttpResponse jpegResponse(const core::EncodedFrame& frame);

net::Reply snapshotReply(bus::LatestFrameBus& bus, SnapshotOptions options = {});

}  // namespace framewire::transport::mjpeg
