#pragma once
// Clocks. Wall clock (CLOCK_REALTIME) is what the latency stamp and every per-stage time use,
// since browsers on the same host compare against it; steady time is for intervals.

#include <cstdint>

namespace framewire::core {

// CLOCK_REALTIME in microseconds since the Unix epoch.
std::int64_t wallClockMicros();

// CLOCK_MONOTONIC in microseconds (intervals, rate limits, timeouts).
std::int64_t steadyMicros();

}  // namespace framewire::core
