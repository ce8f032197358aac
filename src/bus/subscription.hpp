#pragma once
// One subscriber's place on a FrameBus: a bounded mailbox of frames.
//
// Latest wins: when the mailbox is full the subscriber has fallen behind, so everything it
// holds is dropped, it waits for the next keyframe, and a keyframe is requested (through the
// bus's coalescing gate). A new subscriber also starts at a keyframe.
//
// Threads: the bus pushes from the encoder's thread; the owner pops from its own executor.
// `wake` is called (with the mailbox lock held, so it must only post work) when the mailbox
// goes from empty to non-empty. After FrameBus::unsubscribe returns, wake is never called again.

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "core/encoded_frame.hpp"

namespace framewire::bus {

struct SubscriberCounters {
  std::uint64_t frames_delivered = 0;  // popped by the owner
  std::uint64_t frames_dropped = 0;    // discarded (overflow, or waiting for a keyframe)
  std::uint64_t bytes_delivered = 0;
  std::uint64_t overflows = 0;         // times the mailbox was full and got flushed
};

class Subscription {
 public:
  Subscription(std::size_t capacity, std::function<void()> wake,
               std::function<void()> request_keyframe);

  // Owner side: the oldest waiting frame, or nullptr when the mailbox is empty.
  core::FramePtr pop();
  SubscriberCounters counters() const;
  std::size_t queued() const;

  // Bus side.
  void push(const core::FramePtr& frame);
  // Pushes a keyframe only to a subscriber still waiting for one (answers a keyframe request
  // from a cache when the source cannot make one); returns whether it was taken.
  bool pushIfWaiting(const core::FramePtr& keyframe);
  void close();

 private:
  const std::size_t capacity_;
  const std::function<void()> wake_;
  const std::function<void()> request_keyframe_;
  mutable std::mutex mutex_;
  std::deque<core::FramePtr> mailbox_;
  SubscriberCounters counters_;
  bool waiting_for_keyframe_ = true;
  bool closed_ = false;
};

}  // namespace framewire::bus
