#pragma once
// Who may speak into the host: one viewer's microphone at a time. The first packet of a peer
// whose answer accepted its microphone claims the free slot; packets of other peers are
// ignored while the holder speaks; a holder silent for `idle_us` (its microphone switched off
// in the page) gives way to the next peer that sends; a closing peer releases the slot.
// Pure (no GStreamer), so the rule is unit-tested on its own.
//
// Threads: every method from any thread (peers' streaming threads, the control thread).

#include <cstdint>
#include <mutex>
#include <string>

namespace framewire::transport::webrtc {

class MicrophoneSlot {
 public:
  explicit MicrophoneSlot(std::int64_t idle_us = 2'000'000) : idle_us_(idle_us) {}

  enum class Take {
    kHeld,     // `peer` holds the slot: play its audio
    kClaimed,  // `peer` just took the slot (it was free, or its holder went silent)
    kBusy,     // another peer holds it: ignore this audio
  };
  Take take(const std::string& peer, std::int64_t now_us);
  // Frees the slot if `peer` holds it. Returns whether it did.
  bool release(const std::string& peer);

  std::string holder() const;     // "" when free
  std::uint64_t claims() const;   // how often the slot changed hands (for stats)

 private:
  const std::int64_t idle_us_;
  mutable std::mutex mutex_;
  std::string holder_;
  std::int64_t last_us_ = 0;
  std::uint64_t claims_ = 0;
};

}  // namespace framewire::transport::webrtc
