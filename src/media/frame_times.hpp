#pragma once
// FrameTimes: carries each raw frame's wall-clock times across an encoder, keyed by the PTS the
// branch gave it. Encoders here emit frames in input order (no B-frames) but may drop some,
// so lookups discard older entries; the FIFO is bounded so a stalled encoder cannot grow it.
// Thread-safe: add() on the capture thread, take() on the encoder's output thread.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "core/encoded_frame.hpp"

namespace framewire::media {

struct FrameTime {
  std::uint64_t pts_ns = 0;
  std::int64_t capture_us = 0;
  std::int64_t encode_start_us = 0;
};

// Puts a raw frame's times, and the moment the encoder gave it back, on the encoded frame.
inline void applyFrameTime(core::EncodedFrame& frame, const FrameTime& time,
                           std::int64_t encoded_us) {
  frame.pts_ns = static_cast<std::int64_t>(time.pts_ns);
  frame.capture_us = time.capture_us;
  frame.encode_start_us = time.encode_start_us;
  frame.encoded_us = encoded_us;
}

class FrameTimes {
 public:
  static constexpr std::size_t kCapacity = 64;

  void add(const FrameTime& time);
  // The entry for `pts_ns`, dropping every older one; nothing when it is unknown.
  std::optional<FrameTime> take(std::uint64_t pts_ns);
  void clear();

 private:
  std::mutex mutex_;
  std::deque<FrameTime> fifo_;
};

}  // namespace framewire::media
