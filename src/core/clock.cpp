#include "core/clock.hpp"

#include <ctime>

namespace framewire::core {
namespace {
std::int64_t readMicros(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}
}  // namespace

std::int64_t wallClockMicros() { return readMicros(CLOCK_REALTIME); }
std::int64_t steadyMicros() { return readMicros(CLOCK_MONOTONIC); }

}  // namespace framewire::core
