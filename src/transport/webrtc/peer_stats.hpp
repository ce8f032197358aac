#pragma once
// The numbers /api/state shows per WebRTC peer, read from webrtcbin's "get-stats" (the
// W3C stats, as GStreamer 1.22 names its fields).

#include <gst/gst.h>

#include <cstdint>

namespace framewire::transport::webrtc {

struct PeerStats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t packets_sent = 0;
  std::uint64_t nacks_received = 0;
  std::uint64_t plis_received = 0;
  std::uint64_t firs_received = 0;
  std::uint64_t retransmitted_packets = 0;
  double rtt_ms = -1;        // -1 until the client's receiver reports arrive
  double fraction_lost = 0;  // 0..1, from the latest receiver report
  std::int64_t packets_lost = 0;
  double jitter_ms = 0;
  bool has_receiver_report = false;  // a remote-inbound-rtp entry was there (loss is known)
};

// Sums the outbound-rtp entries and reads the remote-inbound-rtp ones of a get-stats reply.
PeerStats readPeerStats(const GstStructure* stats);

}  // namespace framewire::transport::webrtc
