#pragma once
// The capture time of each buffer a peer pushed into one of its appsrcs, by PTS: the feed
// thread records (PTS, capture time) as it pushes a frame, the payloader's streaming thread
// looks up the PTS of each RTP packet it sends (capture_time_probe.hpp). The PTS are mapped
// from capture times, but not invertibly (audio follows its samples' spacing, a repeated PTS is
// bumped by 1 ns), so the pairs are kept rather than recomputed. Pure C++, no GStreamer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace framewire::transport::webrtc {

class CaptureTimes {
 public:
  // 4 s of 60 fps video, 2.5 s of 10 ms audio frames: a packet leaves the payloader well within
  // that of its frame's push.
  static constexpr std::size_t kCapacity = 256;

  // `capture_us`: µs since the Unix epoch. Replaces the oldest pair when full.
  void record(std::uint64_t pts_ns, std::int64_t capture_us);
  // The capture time recorded for `pts_ns` (the newest such pair), if still held.
  std::optional<std::int64_t> find(std::uint64_t pts_ns) const;

 private:
  struct Pair {
    std::uint64_t pts_ns = 0;
    std::int64_t capture_us = 0;
  };
  mutable std::mutex mutex_;
  std::array<Pair, kCapacity> pairs_{};
  std::size_t next_ = 0;   // where the next pair goes
  std::size_t count_ = 0;  // pairs held (≤ kCapacity)
};

}  // namespace framewire::transport::webrtc
