#include "transport/events/event_hub.hpp"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace framewire::transport::events {

EventQueue::EventQueue(std::size_t capacity, std::function<void()> wake)
    : capacity_(std::max<std::size_t>(capacity, 1)), wake_(std::move(wake)) {}

bool EventQueue::push(std::shared_ptr<const std::string> message) {
  std::lock_guard lock(mutex_);
  const bool was_empty = queue_.empty() && dropped_pending_ == 0;
  if (queue_.size() >= capacity_) {
    // Latest wins: the oldest event goes, the subscriber is told how many it missed.
    queue_.pop_front();
    ++dropped_pending_;
    ++dropped_total_;
  }
  queue_.push_back(std::move(message));
  return was_empty;
}

std::optional<std::string> EventQueue::pop() {
  std::lock_guard lock(mutex_);
  if (dropped_pending_ > 0) {
    const auto count = dropped_pending_;
    dropped_pending_ = 0;
    return nlohmann::json{{"type", "events_dropped"}, {"count", count}}.dump();
  }
  if (queue_.empty()) return std::nullopt;
  std::string message = *queue_.front();
  queue_.pop_front();
  return message;
}

std::uint64_t EventQueue::droppedTotal() const {
  std::lock_guard lock(mutex_);
  return dropped_total_;
}

void EventQueue::wake() const {
  if (!wake_) return;
  try {
    wake_();
  } catch (const std::exception& e) {
    spdlog::error("events: wake failed: {}", e.what());
  }
}

std::shared_ptr<EventQueue> EventHub::subscribe(std::function<void()> wake, std::size_t capacity) {
  auto queue = std::make_shared<EventQueue>(capacity, std::move(wake));
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<std::shared_ptr<EventQueue>>>(*subscribers_);
  next->push_back(queue);
  subscribers_ = std::move(next);
  return queue;
}

void EventHub::unsubscribe(const std::shared_ptr<EventQueue>& queue) {
  if (!queue) return;
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<std::shared_ptr<EventQueue>>>(*subscribers_);
  std::erase(*next, queue);
  subscribers_ = std::move(next);
}

void EventHub::publish(const nlohmann::json& event) {
  std::shared_ptr<const std::string> message;
  if (event.is_object() && !event.contains("time_us")) {
    nlohmann::json stamped = event;
    stamped["time_us"] = core::wallClockMicros();
    message = std::make_shared<const std::string>(
        stamped.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    message = std::make_shared<const std::string>(
        event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  std::shared_ptr<const std::vector<std::shared_ptr<EventQueue>>> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers = subscribers_;
    ++published_;
  }
  for (const auto& queue : *subscribers) {
    if (queue->push(message)) queue->wake();
  }
}

std::size_t EventHub::subscriberCount() const {
  std::lock_guard lock(mutex_);
  return subscribers_->size();
}

std::uint64_t EventHub::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

}  // namespace framewire::transport::events
