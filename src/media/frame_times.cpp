#include "media/frame_times.hpp"

namespace framewire::media {

void FrameTimes::add(const FrameTime& time) {
  std::lock_guard lock(mutex_);
  if (fifo_.size() >= kCapacity) fifo_.pop_front();
  fifo_.push_back(time);
}

std::optional<FrameTime> FrameTimes::take(std::uint64_t pts_ns) {
  std::lock_guard lock(mutex_);
  while (!fifo_.empty() && fifo_.front().pts_ns < pts_ns) fifo_.pop_front();
  if (fifo_.empty() || fifo_.front().pts_ns != pts_ns) return std::nullopt;
  FrameTime found = fifo_.front();
  fifo_.pop_front();
  return found;
}

void FrameTimes::clear() {
  std::lock_guard lock(mutex_);
  fifo_.clear();
}

}  // namespace framewire::media
