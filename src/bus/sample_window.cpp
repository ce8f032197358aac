#include "bus/sample_window.hpp"

#include <algorithm>
#include <vector>

namespace framewire::bus {

void SampleWindow::add(std::int64_t value) {
  std::lock_guard lock(mutex_);
  values_[next_] = value;
  next_ = (next_ + 1) % kCapacity;
  count_ = std::min(count_ + 1, kCapacity);
}

SampleSummary SampleWindow::summary() const {
  std::vector<std::int64_t> sorted;
  {
    std::lock_guard lock(mutex_);
    sorted.assign(values_.begin(), values_.begin() + count_);
  }
  SampleSummary s;
  s.count = sorted.size();
  if (sorted.empty()) return s;
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (auto v : sorted) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(sorted.size());
  auto at = [&](double q) {
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * sorted.size()))];
  };
  s.p50 = at(0.5);
  s.p95 = at(0.95);
  s.max = sorted.back();
  return s;
}

}  // namespace framewire::bus
