#pragma once
// FrameTimes: carries each raw frame's wall-clock times across an encoder, keyed by the PTS the
// branch gave it. Encoders here emit frames in input order (no B-frames) but may drop some,
// so lookups discard older entries; the FIFO is bounded so a stalled encoder cannot grow it.
// Thread-safe: add() on the capture thread, take() on the encoder's output thread.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace framewire::media {

struct FrameTime {
  std::uint64_t pts_ns = 0;
  std::int64_t capture_us = 0;
  std::int64_t encode_start_us = 0;
};

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
