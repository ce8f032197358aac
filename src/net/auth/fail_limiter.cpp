#include "net/auth/fail_limiter.hpp"

#include <algorithm>

namespace framewire::net::auth {

FailLimiter::FailLimiter(int limit, std::chrono::seconds window, std::size_t max_addresses)
    : limit_(std::max(limit, 1)), window_(window), max_addresses_(std::max<std::size_t>(max_addresses, 1)) {}

void FailLimiter::expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

long long FailLimiter::blockedFor(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(address);
  if (it == failures_.end()) return 0;
  expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < limit_) return 0;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.front() + window_ - now);
  return std::max<long long>(wait.count(), 1);
}

void FailLimiter::recordFailure(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_addresses_ && !failures_.contains(address)) {
    // Drop addresses whose failures have all expired, then the one with the oldest last try.
    for (auto it = failures_.begin(); it != failures_.end();) {
      expire(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= max_addresses_) {
      auto stalest = std::min_element(failures_.begin(), failures_.end(), [](auto& a, auto& b) {
        return a.second.back() < b.second.back();
      });
      failures_.erase(stalest);
    }
  }
  auto& list = failures_[address];
  expire(list, now);
  list.push_back(now);
  // More than the limit adds nothing: the refusal runs from the oldest kept failure.
  while (static_cast<int>(list.size()) > limit_) list.pop_front();
}

void FailLimiter::recordSuccess(const std::string& address) {
  std::lock_guard lock(mutex_);
  failures_.erase(address);
}

std::size_t FailLimiter::trackedAddresses() const {
  std::lock_guard lock(mutex_);
  return failures_.size();
}

}  // namespace framewire::net::auth
