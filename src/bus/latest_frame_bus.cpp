#include "bus/latest_frame_bus.hpp"

#include <algorithm>
#include <utility>

#include "core/clock.hpp"

namespace framewire::bus {

core::FramePtr LatestWatcher::take() {
  std::lock_guard lock(mutex_);
  if (newest_) ++taken_;
  return std::exchange(newest_, nullptr);
}

std::uint64_t LatestWatcher::framesTaken() const {
  std::lock_guard lock(mutex_);
  return taken_;
}

void LatestWatcher::offer(const core::FramePtr& frame) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  const bool was_empty = !newest_;
  newest_ = frame;  // an untaken older picture is simply replaced
  if (was_empty && wake_) wake_();
}

void LatestWatcher::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  newest_.reset();
}

std::shared_ptr<LatestWatcher> LatestFrameBus::watch(std::function<void()> wake) {
  auto watcher = std::make_shared<LatestWatcher>(std::move(wake));
  {
    std::lock_guard lock(mutex_);
    watchers_.push_back(watcher);
  }
  notifyDemand();
  return watcher;
}

void LatestFrameBus::unwatch(const std::shared_ptr<LatestWatcher>& watcher) {
  if (!watcher) return;
  watcher->close();
  {
    std::lock_guard lock(mutex_);
    const auto before = watchers_.size();
    std::erase(watchers_, watcher);
    if (watchers_.size() == before) return;
  }
  notifyDemand();
}

std::size_t LatestFrameBus::watcherCount() const {
  std::lock_guard lock(mutex_);
  return watchers_.size();
}

void LatestFrameBus::publish(const core::FramePtr& frame) {
  if (!frame) return;
  std::vector<std::shared_ptr<LatestWatcher>> snapshot;
  {
    std::lock_guard lock(mutex_);
    latest_ = frame;
    ++frames_published_;
    snapshot = watchers_;
  }
  rate_.add(core::steadyMicros(), frame->size);
  if (frame->capture_us > 0 && frame->encode_start_us > 0) {
    source_to_encoder_.add(frame->encode_start_us - frame->capture_us);
  }
  if (frame->encode_start_us > 0 && frame->encoded_us > 0) {
    encode_.add(frame->encoded_us - frame->encode_start_us);
  }
  for (const auto& watcher : snapshot) watcher->offer(frame);
}

core::FramePtr LatestFrameBus::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void LatestFrameBus::setDemandListener(std::function<void(std::size_t)> listener) {
  std::lock_guard lock(mutex_);
  demand_listener_ = std::move(listener);
}

void LatestFrameBus::notifyDemand() {
  std::lock_guard order(demand_mutex_);
  std::function<void(std::size_t)> listener;
  std::size_t count;
  {
    std::lock_guard lock(mutex_);
    listener = demand_listener_;
    count = watchers_.size();
  }
  if (listener) listener(count);
}

std::uint64_t LatestFrameBus::framesPublished() const {
  std::lock_guard lock(mutex_);
  return frames_published_;
}

void LatestFrameBus::recordSent(const core::EncodedFrame& frame, std::int64_t written_wall_us) {
  if (frame.encoded_us > 0) encoded_to_sent_.add(written_wall_us - frame.encoded_us);
  if (frame.capture_us > 0) capture_to_sent_.add(written_wall_us - frame.capture_us);
}

LatestFrameBusStages LatestFrameBus::stages() const {
  return {source_to_encoder_.summary(), encode_.summary(), encoded_to_sent_.summary(),
          capture_to_sent_.summary()};
}

double LatestFrameBus::fps() const { return rate_.fps(core::steadyMicros()); }
double LatestFrameBus::kbps() const { return rate_.kbps(core::steadyMicros()); }

}  // namespace framewire::bus
