#pragma once
// One encoded access unit (or one JPEG picture), shared read-only by every subscriber.
//
// The bytes are not copied out of the encoder: `owner` keeps whatever holds them alive (in
// media/, a mapped GstBuffer whose deleter unmaps and unrefs it). core/ stays free of
// GStreamer by only knowing the owner as a type-erased shared_ptr.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace framewire::core {

// Audio codecs share the frame type and the bus: every audio frame is a "keyframe" (it
// decodes on its own), so a subscriber starts at the next frame.
enum class Codec { kH264, kJpeg, kH265, kVp8, kVp9, kAv1, kOpus, kPcmu, kPcma, kG722 };

std::string_view codecName(Codec codec);

struct EncodedFrame {
  std::shared_ptr<const void> owner;  // keeps `data` valid
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;

  Codec codec = Codec::kH264;
  bool keyframe = false;
  int width = 0;
  int height = 0;
  std::uint64_t sequence = 0;   // per branch, increasing by one per published frame
  std::int64_t pts_ns = 0;      // stream time of the branch
  // Wall-clock times (CLOCK_REALTIME, µs since the Unix epoch) for per-stage latency.
  std::int64_t capture_us = 0;      // the frame left the source (the latency stamp's time)
  std::int64_t encode_start_us = 0; // handed to the encoder
  std::int64_t encoded_us = 0;      // the encoder produced it

  std::span<const std::uint8_t> bytes() const { return {data, size}; }
};

using FramePtr = std::shared_ptr<const EncodedFrame>;

// Wraps a heap copy of `bytes` as a frame (tests and generated frames; media/ wraps buffers).
FramePtr makeOwnedFrame(std::span<const std::uint8_t> bytes, Codec codec, bool keyframe);

}  // namespace framewire::core
