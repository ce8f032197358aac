#pragma once
// Counts wrong passwords per client address in a sliding window: over the limit, the address
// is refused (429) until its oldest failure leaves the window. Time is passed in (tests).
// Bounded: at most `max_addresses` are tracked; the stalest are dropped first.
//
// Threads: every method locks; call from any thread.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace framewire::net::auth {

class FailLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  FailLimiter(int limit, std::chrono::seconds window, std::size_t max_addresses = 10000);

  // Seconds until `address` may try again; 0 when it may try now.
  long long blockedFor(const std::string& address, Clock::time_point now);
  void recordFailure(const std::string& address, Clock::time_point now);
  void recordSuccess(const std::string& address);

  std::size_t trackedAddresses() const;

 private:
  void expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  const int limit_;
  const std::chrono::seconds window_;
  const std::size_t max_addresses_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace framewire::net::auth
