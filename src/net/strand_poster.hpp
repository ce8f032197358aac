#pragma once
// Posts work onto one connection's strand from foreign threads (GStreamer wake-ups), safely
// across shutdown. Wake callbacks live inside bus subscriptions, which a publishing thread may
// keep alive a little after the session unsubscribed; a callback must therefore not own the
// strand executor itself (dropping the last strand reference after the io_context is gone is
// a use-after-free). It owns this poster instead, and the session detaches it when it dies.
//
// Thread-safe. Lock order: (bus lock) → WakeGate → this poster; nothing takes them in reverse.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <mutex>
#include <optional>

#include "net/wake_gate.hpp"

namespace framewire::net {

class StrandPoster {
 public:
  StrandPoster(boost::asio::any_io_executor executor, WakeGatePtr gate)
      : executor_(std::move(executor)), gate_(std::move(gate)) {}

  // Posts `work` unless the server is stopping or the session is gone.
  template <typename F>
  void post(F&& work) {
    gate_->runIfOpen([&] {
      std::lock_guard lock(mutex_);
      if (executor_) boost::asio::post(*executor_, std::forward<F>(work));
    });
  }

  // Called by the owning session when it ends (on its strand, or while the io_context shuts
  // down): later posts do nothing.
  void detach() {
    std::lock_guard lock(mutex_);
    executor_.reset();
  }

 private:
  std::mutex mutex_;
  std::optional<boost::asio::any_io_executor> executor_;
  const WakeGatePtr gate_;
};

using StrandPosterPtr = std::shared_ptr<StrandPoster>;

}  // namespace framewire::net
