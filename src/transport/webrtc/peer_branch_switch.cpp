// PeerSession's branch switch: the peer keeps its webrtcbin, payloader, SSRC and payload type
// and changes only which branch's bus feeds its appsrc, at a keyframe of the new branch, so the
// browser sees one stream whose picture changes size at an IDR (no renegotiation, no ICE).
#include "core/clock.hpp"
#include "core/log.hpp"
#include "transport/webrtc/peer_session.hpp"

namespace framewire::transport::webrtc {

void PeerSession::switchBranch(bus::FrameBus* bus, const std::string& branch) {
  if (closed_ || bus == nullptr) return;
  std::shared_ptr<bus::Subscription> replaced;
  bus::FrameBus* replaced_bus = nullptr;
  std::shared_ptr<bus::Subscription> subscription;
  if (branch != this->branch()) {
    // Joining asks the branch for a keyframe; the mailbox holds nothing before it.
    SerialExecutor* feed = &feed_;
    subscription = bus->subscribe([feed, weak = weak_from_this()] {
      feed->post([weak] {
        if (auto self = weak.lock()) self->drain();
      });
    });
  }
  {
    std::lock_guard lock(switch_mutex_);
    replaced = std::move(pending_);
    replaced_bus = pending_bus_;
    pending_ = subscription;
    pending_bus_ = subscription ? bus : nullptr;
    pending_target_ = subscription ? branch : std::string();
  }
  if (replaced) replaced_bus->unsubscribe(replaced);
  // Back to the branch being sent: only the pending switch is dropped.
  pending_branch_ = subscription ? branch : std::string();
  pending_since_us_ = core::steadyMicros();
  if (subscription) {
    spdlog::info("webrtc {}: switching {} -> {}", params_.id, this->branch(), branch);
    feed_.post([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->drain();
    });
  }
}

std::optional<std::string> PeerSession::dropStaleSwitch(std::int64_t timeout_us) {
  if (pending_branch_.empty() || core::steadyMicros() - pending_since_us_ < timeout_us) {
    return std::nullopt;
  }
  std::shared_ptr<bus::Subscription> stale;
  bus::FrameBus* stale_bus = nullptr;
  {
    std::lock_guard lock(switch_mutex_);
    stale = std::move(pending_);
    stale_bus = pending_bus_;
    pending_bus_ = nullptr;
    pending_target_.clear();
  }
  if (!stale) return std::nullopt;  // taken meanwhile: onSwitched() is on its way
  stale_bus->unsubscribe(stale);
  auto branch = std::move(pending_branch_);
  pending_branch_.clear();
  return branch;
}

void PeerSession::takePendingAtKeyframe() {
  std::shared_ptr<bus::Subscription> old;
  bus::FrameBus* old_bus = nullptr;
  std::string to;
  {
    std::lock_guard lock(switch_mutex_);
    // A subscription's mailbox starts with a keyframe: anything queued means it is there.
    if (!pending_ || pending_->queued() == 0) return;
    old = std::atomic_load(&subscription_);
    old_bus = currentBus();
    std::atomic_store(&subscription_, std::move(pending_));
    bus_.store(pending_bus_, std::memory_order_release);
    pending_bus_ = nullptr;
    to = std::move(pending_target_);
    pending_target_.clear();
  }
  // What the old branch still had queued is dropped: the new keyframe supersedes it.
  if (old && old_bus) old_bus->unsubscribe(old);
  control_.post([weak = weak_from_this(), to = std::move(to)] {
    if (auto self = weak.lock()) self->onSwitched(to);
  });
}

void PeerSession::onSwitched(std::string to) {
  if (closed_) return;
  const std::string from = branch();
  branch_ = to;
  if (pending_branch_ == to) pending_branch_.clear();
  spdlog::info("webrtc {}: now on branch {} (was {}, {} ms)", params_.id, to, from,
               (core::steadyMicros() - pending_since_us_) / 1000);
  if (switched_) switched_(from, to);
}

}  // namespace framewire::transport::webrtc
