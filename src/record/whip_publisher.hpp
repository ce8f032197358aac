#pragma once
// WhipPublisher: publishes one H.264 branch, as it is encoded, to a WHIP endpoint (RFC 9725)
// so an SFU or media server cluster (Janus, LiveKit, MediaMTX, a cloud ingest) distributes it.
//
// appsrc ! h264parse ! rtph264pay ! webrtcbin (send-only, max-bundle). The offer is sent once
// ICE gathering is complete (every candidate in it, so no trickle PATCH is needed):
//   POST <endpoint>, Content-Type: application/sdp, Authorization: Bearer <token>
//   → 201 Created, Location: <session URL>, body: the answer
// and DELETE <session URL> on stop. When the peer connection fails, stays disconnected for
// 5 s, or does not connect within 20 s, the session is deleted and published again with
// backoff (1 s doubling up to `retry_max_s`). Keyframe requests from the receiver (PLI/FIR)
// reach the encoder through the bus's gate.
//
// Plain http:// endpoints only (put a TLS-terminating proxy in front for https).
//
// Events (JSON "type"): whip_started, whip_connected, whip_error (with "retry_in_s"),
// whip_stopped. Threads: construct, stop() and state() from any thread.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bus/frame_bus.hpp"
#include "record/recorder.hpp"  // EventSink

namespace framewire::record {

class WhipPublisher {
 public:
  WhipPublisher(bus::FrameBus& bus, std::string endpoint, std::string token, double retry_max_s,
                EventSink events);
  ~WhipPublisher();  // stop()
  WhipPublisher(const WhipPublisher&) = delete;
  WhipPublisher& operator=(const WhipPublisher&) = delete;

  void stop();
  const std::string& endpoint() const { return endpoint_; }
  // {"endpoint", "branch", "state": publishing|live|retrying|stopped, "resource", "since",
  //  "frames", "bytes", "republishes", "last_error"}
  nlohmann::json state() const;

 private:
  class Feed;
  const std::string endpoint_;
  std::unique_ptr<Feed> feed_;
};

}  // namespace framewire::record
