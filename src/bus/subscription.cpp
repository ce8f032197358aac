#include "bus/subscription.hpp"

namespace framewire::bus {

Subscription::Subscription(std::size_t capacity, std::function<void()> wake,
                           std::function<void()> request_keyframe)
    : capacity_(capacity > 0 ? capacity : 1),
      wake_(std::move(wake)),
      request_keyframe_(std::move(request_keyframe)) {}

core::FramePtr Subscription::pop() {
  std::lock_guard lock(mutex_);
  if (mailbox_.empty()) return nullptr;
  core::FramePtr frame = std::move(mailbox_.front());
  mailbox_.pop_front();
  ++counters_.frames_delivered;
  counters_.bytes_delivered += frame->size;
  return frame;
}

SubscriberCounters Subscription::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::size_t Subscription::queued() const {
  std::lock_guard lock(mutex_);
  return mailbox_.size();
}

void Subscription::push(const core::FramePtr& frame) {
  bool ask_keyframe = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (waiting_for_keyframe_ && !frame->keyframe) {
      ++counters_.frames_dropped;
      return;
    }
    if (mailbox_.size() >= capacity_) {
      // Fallen behind: what it holds is already late. Resume at the next keyframe.
      counters_.frames_dropped += mailbox_.size();
      ++counters_.overflows;
      mailbox_.clear();
      if (!frame->keyframe) {
        ++counters_.frames_dropped;
        waiting_for_keyframe_ = true;
        ask_keyframe = true;
      }
    }
    if (!ask_keyframe) {
      waiting_for_keyframe_ = false;
      const bool was_empty = mailbox_.empty();
      mailbox_.push_back(frame);
      if (was_empty && wake_) wake_();
    }
  }
  if (ask_keyframe && request_keyframe_) request_keyframe_();
}

bool Subscription::pushIfWaiting(const core::FramePtr& keyframe) {
  // One lock for the check and the push, so a newer keyframe published meanwhile cannot be
  // followed by this older one.
  std::lock_guard lock(mutex_);
  if (closed_ || !waiting_for_keyframe_ || !keyframe->keyframe) return false;
  waiting_for_keyframe_ = false;
  const bool was_empty = mailbox_.empty();
  mailbox_.push_back(keyframe);
  if (was_empty && wake_) wake_();
  return true;
}

void Subscription::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  mailbox_.clear();
}

}  // namespace framewire::bus
