#include "bus/keyframe_gate.hpp"

#include "core/clock.hpp"

namespace framewire::bus {

KeyframeGate::KeyframeGate(std::int64_t min_interval_us, Clock clock)
    : min_interval_us_(min_interval_us),
      clock_(clock ? std::move(clock) : Clock(&core::steadyMicros)) {}

void KeyframeGate::setSender(std::function<void()> send) {
  std::lock_guard lock(mutex_);
  send_ = std::move(send);
}

bool KeyframeGate::dueLocked(std::int64_t now) const {
  return now - last_sent_us_ >= min_interval_us_;
}

void KeyframeGate::request() {
  std::function<void()> send;
  {
    std::lock_guard lock(mutex_);
    ++requested_;
    const std::int64_t now = clock_();
    if (!dueLocked(now)) {
      pending_ = true;
      return;
    }
    pending_ = false;
    last_sent_us_ = now;
    ++sent_;
    send = send_;
  }
  if (send) send();
}

void KeyframeGate::onKeyframe() {
  std::lock_guard lock(mutex_);
  pending_ = false;
}

void KeyframeGate::poll() {
  std::function<void()> send;
  {
    std::lock_guard lock(mutex_);
    if (!pending_) return;
    const std::int64_t now = clock_();
    if (!dueLocked(now)) return;
    pending_ = false;
    last_sent_us_ = now;
    ++sent_;
    send = send_;
  }
  if (send) send();
}

std::uint64_t KeyframeGate::requested() const {
  std::lock_guard lock(mutex_);
  return requested_;
}

std::uint64_t KeyframeGate::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

}  // namespace framewire::bus
