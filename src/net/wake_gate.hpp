#pragma once
// Guards posting into the server's io_context from foreign threads (GStreamer's wake-ups).
// The server closes the gate before it stops and destroys the io_context, so a wake-up that
// arrives late runs nothing instead of posting into a dead executor. Thread-safe; the lock
// is a leaf (held only while posting), so calling it under a bus lock cannot deadlock.

#include <memory>
#include <mutex>

namespace framewire::net {

class WakeGate {
 public:
  // Runs `post` (which should only post) if the gate is open. Returns whether it ran.
  template <typename F>
  bool runIfOpen(F&& post) {
    std::lock_guard lock(mutex_);
    if (!open_) return false;
    post();
    return true;
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }

 private:
  std::mutex mutex_;
  bool open_ = true;
};

using WakeGatePtr = std::shared_ptr<WakeGate>;

}  // namespace framewire::net
