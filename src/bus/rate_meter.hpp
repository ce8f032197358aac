#pragma once
// Frames per second and bits per second over the last second. Thread-safe.

#include <cstdint>
#include <deque>
#include <mutex>

namespace framewire::bus {

class RateMeter {
 public:
  void add(std::int64_t now_us, std::size_t bytes);
  double fps(std::int64_t now_us) const;
  double kbps(std::int64_t now_us) const;

 private:
  void trimLocked(std::int64_t now_us) const;

  static constexpr std::int64_t kWindowUs = 1'000'000;
  mutable std::mutex mutex_;
  mutable std::deque<std::pair<std::int64_t, std::size_t>> samples_;
  mutable std::uint64_t bytes_in_window_ = 0;
};

}  // namespace framewire::bus
