#pragma once
// /ws/direct: a WebSocket session that sends one branch's encoded access units (see
// direct_framing.hpp for the wire format). Light header: the session itself lives in the .cpp.
//
// Latest wins: the session's FrameBus subscription is its only queue. One write is in flight;
// when it completes the session pops the next frame, so a slow client drops at the bus (and
// resumes at a keyframe) instead of queueing here.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "bus/frame_bus.hpp"
#include "net/router.hpp"
#include "transport/client_registry.hpp"

namespace framewire::transport::direct {

struct DirectOptions {
  bool raw = false;  // ?raw=1: bare Annex-B access units, no hello, no header
  std::string branch = "main";
  int fps = 0;            // announced in the hello
  int default_width = 0;  // used when a frame does not carry its size
  int default_height = 0;
  std::size_t max_control_bytes = 4096;  // a bigger client message closes the session
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds idle_timeout{30};  // no data (not even a pong) for this long closes it
  // ?audio=1 with Opus audio available: its frames go on the same socket, ahead of video.
  bus::FrameBus* audio_bus = nullptr;
  std::string audio_codec = "opus";
  int audio_sample_rate = 48000;
  int audio_channels = 2;
  int audio_frame_ms = 10;
};

// Accepts the WebSocket upgrade on the handed-over connection and runs the session until the
// client leaves. Call on the connection's strand (a net::Takeover does).
void startDirectSession(std::shared_ptr<net::Handoff> handoff, bus::FrameBus& bus,
                        ClientRegistry& registry, DirectOptions options);

}  // namespace framewire::transport::direct
