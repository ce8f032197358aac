#include "record/feed_thread.hpp"

#include <chrono>

namespace framewire::record {

FeedThread::FeedThread(bus::FrameBus& bus, std::size_t capacity, int tick_ms, Handlers handlers)
    : bus_(bus), tick_ms_(tick_ms), handlers_(std::move(handlers)) {
  // The wake runs on the encoder's thread with the mailbox lock held: only flag and notify.
  subscription_ = bus_.subscribe(
      [this] {
        {
          std::lock_guard lock(mutex_);
          woken_ = true;
        }
        wake_.notify_one();
      },
      capacity);
}

void FeedThread::addSource(bus::FrameBus& bus, std::size_t capacity,
                           std::function<bool(const core::FramePtr&)> on_frame) {
  extra_bus_ = &bus;
  extra_on_frame_ = std::move(on_frame);
  extra_subscription_ = bus.subscribe(
      [this] {
        {
          std::lock_guard lock(mutex_);
          woken_ = true;
        }
        wake_.notify_one();
      },
      capacity);
}

void FeedThread::unsubscribeAll() {
  bus_.unsubscribe(subscription_);
  if (extra_bus_) extra_bus_->unsubscribe(extra_subscription_);
}

void FeedThread::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

FeedThread::~FeedThread() { stop(); }

void FeedThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  } else if (running_) {  // never started: release the subscriptions here
    unsubscribeAll();
    running_ = false;
  }
}

bus::SubscriberCounters FeedThread::counters() const { return subscription_->counters(); }

void FeedThread::run() {
  bool keep_going = true;
  while (keep_going) {
    bool stopping;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(tick_ms_),
                     [this] { return woken_ || stopping_; });
      woken_ = false;
      stopping = stopping_;
    }
    while (keep_going) {
      core::FramePtr frame = subscription_->pop();
      if (!frame) break;
      keep_going = handlers_.on_frame(frame);
    }
    while (keep_going && extra_subscription_) {
      core::FramePtr frame = extra_subscription_->pop();
      if (!frame) break;
      keep_going = extra_on_frame_(frame);
    }
    if (keep_going && handlers_.on_tick) keep_going = handlers_.on_tick();
    if (stopping) break;
  }
  unsubscribeAll();
  if (handlers_.on_exit) handlers_.on_exit();
  running_ = false;
}

}  // namespace framewire::record
