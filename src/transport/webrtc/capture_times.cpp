#include "transport/webrtc/capture_times.hpp"

namespace framewire::transport::webrtc {

void CaptureTimes::record(std::uint64_t pts_ns, std::int64_t capture_us) {
  std::lock_guard lock(mutex_);
  pairs_[next_] = Pair{pts_ns, capture_us};
  next_ = (next_ + 1) % kCapacity;
  if (count_ < kCapacity) ++count_;
}

std::optional<std::int64_t> CaptureTimes::find(std::uint64_t pts_ns) const {
  std::lock_guard lock(mutex_);
  // Newest first: a packet's frame is almost always the one pushed last.
  for (std::size_t i = 1; i <= count_; ++i) {
    const Pair& pair = pairs_[(next_ + kCapacity - i) % kCapacity];
    if (pair.pts_ns == pts_ns) return pair.capture_us;
  }
  return std::nullopt;
}

}  // namespace framewire::transport::webrtc
