#pragma once
// EventHub: JSON events (clients joining and leaving, WebRTC peers, signal loss, settings) fanned
// out to every /ws/events subscriber. Std-only API so any folder can publish through it.
//
// Each subscriber has a bounded queue. A subscriber that does not keep up loses its oldest
// events (counted, and reported to it as {"type":"events_dropped","count":N} before the next
// event it gets): a slow events client never stalls a publisher or another subscriber.
//
// Threads: publish(), subscribe() and unsubscribe() from any thread. publish() serialises the
// event once and never blocks on a subscriber. A subscriber's `wake` is called on the
// publishing thread, outside every lock, when its queue goes from empty to non-empty: it must
// only post (e.g. to the session's strand).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace framewire::transport::events {

class EventQueue {
 public:
  EventQueue(std::size_t capacity, std::function<void()> wake);

  // The next message to send (serialised JSON), or nothing when the queue is empty.
  std::optional<std::string> pop();
  std::uint64_t droppedTotal() const;

 private:
  friend class EventHub;
  // Returns true when the queue was empty (the caller then wakes the subscriber).
  bool push(std::shared_ptr<const std::string> message);
  void wake() const;

  const std::size_t capacity_;
  const std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::uint64_t dropped_pending_ = 0;  // not yet reported to the subscriber
  std::uint64_t dropped_total_ = 0;
};

class EventHub {
 public:
  static constexpr std::size_t kDefaultCapacity = 256;

  std::shared_ptr<EventQueue> subscribe(std::function<void()> wake,
                                        std::size_t capacity = kDefaultCapacity);
  void unsubscribe(const std::shared_ptr<EventQueue>& queue);

  // `event` should carry a string "type". A "time_us" (wall clock, µs since the Unix epoch)
  // is added when missing.
  void publish(const nlohmann::json& event);

  std::size_t subscriberCount() const;
  std::uint64_t published() const;

 private:
  mutable std::mutex mutex_;
  // Copy-on-write: publish() takes the current list and pushes outside the lock.
  std::shared_ptr<const std::vector<std::shared_ptr<EventQueue>>> subscribers_ =
      std::make_shared<std::vector<std::shared_ptr<EventQueue>>>();
  std::uint64_t published_ = 0;
};

}  // namespace framewire::transport::events
