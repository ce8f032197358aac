#pragma once
// The one path by which keyframe requests reach an encoder: requests from joins, drops and
// clients are coalesced, and at most one goes out per `min_interval`. A request that arrives
// too soon is remembered and sent by poll() once the interval has passed, unless a keyframe
// went out meanwhile (which satisfies it). Thread-safe; `send` is called with no lock held.

#include <cstdint>
#include <functional>
#include <mutex>

namespace framewire::bus {

class KeyframeGate {
 public:
  using Clock = std::function<std::int64_t()>;  // steady µs

  explicit KeyframeGate(std::int64_t min_interval_us, Clock clock = {});

  void setSender(std::function<void()> send);
  void request();     // any thread
  void onKeyframe();  // a keyframe was published
  void poll();        // called on every publish: sends a deferred request when it is due

  std::uint64_t requested() const;
  std::uint64_t sent() const;

 private:
  bool dueLocked(std::int64_t now) const;

  const std::int64_t min_interval_us_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::function<void()> send_;
  bool pending_ = false;
  std::int64_t last_sent_us_ = INT64_MIN / 2;
  std::uint64_t requested_ = 0;
  std::uint64_t sent_ = 0;
};

}  // namespace framewire::bus
