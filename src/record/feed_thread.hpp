#pragma once
// FeedThread: one FrameBus subscriber with its own thread and its own (larger) mailbox, for
// consumers that may block a little (a muxer writing to disk, a network sink connecting).
// The bus only ever pushes into the mailbox, so a slow consumer never slows live viewers;
// when the mailbox overflows the bus drops for this subscriber alone (counted) and restarts it
// at a keyframe.
//
// `on_frame` is called for every frame in order, `on_tick` at least every `tick_ms`; both on
// the thread, and either may return false to end the feed (e.g. after a write error). Then
// `on_exit` runs on the thread, the subscription is released and the thread ends by itself.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "bus/frame_bus.hpp"

namespace framewire::record {

class FeedThread {
 public:
  struct Handlers {
    std::function<bool(const core::FramePtr&)> on_frame;
    std::function<bool()> on_tick;
    std::function<void()> on_exit;
  };

  // Subscribes at once (the mailbox starts filling from the next keyframe); the handlers run
  // only after start(), so their owner can finish setting itself up first.
  FeedThread(bus::FrameBus& bus, std::size_t capacity, int tick_ms, Handlers handlers);
  ~FeedThread();  // stop()

  // A second bus read on the same thread (the recorder's audio next to its video), drained
  // after the first one at each wake; its frames go to `on_frame`. Before start() only.
  void addSource(bus::FrameBus& bus, std::size_t capacity,
                 std::function<bool(const core::FramePtr&)> on_frame);

  void start();
  FeedThread(const FeedThread&) = delete;
  FeedThread& operator=(const FeedThread&) = delete;

  // Ends the feed (frames still queued are handed over first) and joins the thread. Not from
  // the thread itself.
  void stop();
  bool running() const { return running_; }
  bus::SubscriberCounters counters() const;

 private:
  void run();
  void unsubscribeAll();

  bus::FrameBus& bus_;
  const int tick_ms_;
  Handlers handlers_;
  std::shared_ptr<bus::Subscription> subscription_;
  bus::FrameBus* extra_bus_ = nullptr;
  std::shared_ptr<bus::Subscription> extra_subscription_;
  std::function<bool(const core::FramePtr&)> extra_on_frame_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace framewire::record
