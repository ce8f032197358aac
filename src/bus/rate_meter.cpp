#include "bus/rate_meter.hpp"

namespace framewire::bus {

void RateMeter::trimLocked(std::int64_t now_us) const {
  while (!samples_.empty() && now_us - samples_.front().first > kWindowUs) {
    bytes_in_window_ -= samples_.front().second;
    samples_.pop_front();
  }
}

void RateMeter::add(std::int64_t now_us, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  samples_.emplace_back(now_us, bytes);
  bytes_in_window_ += bytes;
  trimLocked(now_us);
}

double RateMeter::fps(std::int64_t now_us) const {
  std::lock_guard lock(mutex_);
  trimLocked(now_us);
  return static_cast<double>(samples_.size());
}

double RateMeter::kbps(std::int64_t now_us) const {
  std::lock_guard lock(mutex_);
  trimLocked(now_us);
  return static_cast<double>(bytes_in_window_) * 8.0 / 1000.0;
}

}  // namespace framewire::bus
