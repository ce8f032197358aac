#include "transport/webrtc/microphone_slot.hpp"

namespace framewire::transport::webrtc {

MicrophoneSlot::Take MicrophoneSlot::take(const std::string& peer, std::int64_t now_us) {
  std::lock_guard lock(mutex_);
  if (holder_ == peer && !peer.empty()) {
    last_us_ = now_us;
    return Take::kHeld;
  }
  if (!holder_.empty() && now_us - last_us_ < idle_us_) return Take::kBusy;
  holder_ = peer;
  last_us_ = now_us;
  ++claims_;
  return Take::kClaimed;
}

bool MicrophoneSlot::release(const std::string& peer) {
  std::lock_guard lock(mutex_);
  if (peer.empty() || holder_ != peer) return false;
  holder_.clear();
  return true;
}

std::string MicrophoneSlot::holder() const {
  std::lock_guard lock(mutex_);
  return holder_;
}

std::uint64_t MicrophoneSlot::claims() const {
  std::lock_guard lock(mutex_);
  return claims_;
}

}  // namespace framewire::transport::webrtc
