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
  } else if (running_) {  // never started: release the subscription here
    bus_.unsubscribe(subscription_);
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
    if (keep_going && handlers_.on_tick) keep_going = handlers_.on_tick();
    if (stopping) break;
  }
  bus_.unsubscribe(subscription_);
  if (handlers_.on_exit) handlers_.on_exit();
  running_ = false;
}

}  // namespace framewire::record
