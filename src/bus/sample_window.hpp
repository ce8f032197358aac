#pragma once
// The last N samples of a quantity (e.g. a per-stage latency in µs) with their percentiles.
// Thread-safe; cheap to add to from a streaming thread.

#include <array>
#include <cstdint>
#include <mutex>

namespace framewire::bus {

struct SampleSummary {
  std::size_t count = 0;
  double mean = 0;
  std::int64_t p50 = 0;
  std::int64_t p95 = 0;
  std::int64_t max = 0;
};

class SampleWindow {
 public:
  static constexpr std::size_t kCapacity = 256;

  void add(std::int64_t value);
  SampleSummary summary() const;

 private:
  mutable std::mutex mutex_;
  std::array<std::int64_t, kCapacity> values_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace framewire::bus
