#include "bus/frame_bus.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace framewire::bus {

FrameBus::FrameBus(std::string name, FrameBusOptions options)
    : name_(std::move(name)), options_(options), keyframe_gate_(options.keyframe_min_interval_us) {}

std::shared_ptr<Subscription> FrameBus::subscribe(std::function<void()> wake,
                                                  std::size_t capacity) {
  auto subscription = std::make_shared<Subscription>(
      capacity > 0 ? capacity : options_.mailbox_capacity, std::move(wake),
      [this] { requestKeyframe(); });
  std::size_t count;
  {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<List>(*subscribers_);
    next->push_back(subscription);
    subscribers_ = std::move(next);
    count = subscribers_->size();
  }
  notifyDemand(count);
  requestKeyframe();
  return subscription;
}

void FrameBus::unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  if (!subscription) return;
  subscription->close();
  std::size_t count;
  {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<List>(*subscribers_);
    const auto before = next->size();
    std::erase(*next, subscription);
    if (next->size() == before) return;
    subscribers_ = std::move(next);
    count = subscribers_->size();
  }
  notifyDemand(count);
}

std::size_t FrameBus::subscriberCount() const {
  std::lock_guard lock(mutex_);
  return subscribers_->size();
}

void FrameBus::notifyDemand(std::size_t count) {
  std::lock_guard order(demand_mutex_);
  std::function<void(std::size_t)> listener;
  {
    std::lock_guard lock(mutex_);
    listener = demand_listener_;
    // A later change may have happened already; report the current count, not a stale one.
    count = subscribers_->size();
  }
  if (listener) listener(count);
}

void FrameBus::publish(const core::FramePtr& frame) {
  if (!frame) return;
  // Cancel pending keyframe requests before taking the snapshot: every subscriber that asked
  // before this point is already listed (subscribe() lists, then asks), so it gets this
  // keyframe. Cancelling after the snapshot could swallow the request of a subscriber that
  // joined in between and is not in the snapshot, leaving it waiting with no keyframe coming.
  if (frame->keyframe) keyframe_gate_.onKeyframe();
  std::shared_ptr<const List> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = subscribers_;
    ++frames_published_;
    bytes_published_ += frame->size;
    if (frame->keyframe) {
      ++keyframes_published_;
      last_keyframe_ = frame;
    }
  }
  rate_.add(core::steadyMicros(), frame->size);
  if (frame->capture_us > 0 && frame->encode_start_us > 0) {
    source_to_encoder_.add(frame->encode_start_us - frame->capture_us);
  }
  if (frame->encode_start_us > 0 && frame->encoded_us > 0) {
    encode_.add(frame->encoded_us - frame->encode_start_us);
  }
  for (const auto& subscription : *snapshot) subscription->push(frame);
  keyframe_gate_.poll();
}

void FrameBus::requestKeyframe() { keyframe_gate_.request(); }

void FrameBus::setKeyframeSender(std::function<void()> send) {
  keyframe_gate_.setSender(std::move(send));
}

void FrameBus::setDemandListener(std::function<void(std::size_t)> listener) {
  {
    std::lock_guard lock(mutex_);
    demand_listener_ = std::move(listener);
  }
}

void FrameBus::recordSent(const core::EncodedFrame& frame, std::int64_t written_wall_us) {
  if (frame.encoded_us > 0) encoded_to_sent_.add(written_wall_us - frame.encoded_us);
  if (frame.capture_us > 0) capture_to_sent_.add(written_wall_us - frame.capture_us);
}

std::size_t FrameBus::primeWaiting(const core::FramePtr& keyframe) {
  if (!keyframe || !keyframe->keyframe) return 0;
  std::shared_ptr<const List> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers = subscribers_;
  }
  std::size_t primed = 0;
  for (const auto& s : *subscribers) primed += s->pushIfWaiting(keyframe) ? 1 : 0;
  return primed;
}

core::FramePtr FrameBus::lastKeyframe() const {
  std::lock_guard lock(mutex_);
  return last_keyframe_;
}

FrameBusStats FrameBus::stats() const {
  FrameBusStats s;
  {
    std::lock_guard lock(mutex_);
    s.frames_published = frames_published_;
    s.keyframes_published = keyframes_published_;
    s.bytes_published = bytes_published_;
    s.subscribers = subscribers_->size();
  }
  s.keyframe_requests = keyframe_gate_.requested();
  s.keyframe_requests_sent = keyframe_gate_.sent();
  const auto now = core::steadyMicros();
  s.fps = rate_.fps(now);
  s.kbps = rate_.kbps(now);
  s.source_to_encoder = source_to_encoder_.summary();
  s.encode = encode_.summary();
  s.encoded_to_sent = encoded_to_sent_.summary();
  s.capture_to_sent = capture_to_sent_.summary();
  return s;
}

}  // namespace framewire::bus
