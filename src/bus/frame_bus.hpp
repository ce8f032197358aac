#pragma once
// FrameBus: fans one branch's encoded frames out to every subscriber (Direct clients, WebRTC
// peers, recorders). Encode once, share the same immutable frames.
//
// Threads: publish() runs on the encoder's streaming thread. It reads an immutable snapshot
// of the subscriber list (no lock held while pushing) and pushes into each mailbox.
// subscribe()/unsubscribe() may be called from any thread, including during a publish.
// The demand listener is told the new subscriber count on every change (the encode branch
// uses it to run only while someone watches); it is called with no bus lock held.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/keyframe_gate.hpp"
#include "bus/rate_meter.hpp"
#include "bus/sample_window.hpp"
#include "bus/subscription.hpp"
#include "core/encoded_frame.hpp"

namespace framewire::bus {

struct FrameBusOptions {
  std::size_t mailbox_capacity = 8;              // frames a subscriber may lag before dropping
  std::int64_t keyframe_min_interval_us = 250'000;  // at most one keyframe request per interval
};

struct FrameBusStats {
  std::uint64_t frames_published = 0;
  std::uint64_t keyframes_published = 0;
  std::uint64_t bytes_published = 0;
  std::uint64_t keyframe_requests = 0;  // asked for (before coalescing)
  std::uint64_t keyframe_requests_sent = 0;  // reached the encoder
  std::size_t subscribers = 0;
  double fps = 0;
  double kbps = 0;
  // Per-stage latency of recent frames, µs.
  SampleSummary source_to_encoder;  // capture → handed to the encoder
  SampleSummary encode;             // handed to the encoder → encoded
  SampleSummary encoded_to_sent;    // encoded → written to a client socket
  SampleSummary capture_to_sent;    // capture → written to a client socket
};

class FrameBus {
 public:
  explicit FrameBus(std::string name, FrameBusOptions options = {});
  FrameBus(const FrameBus&) = delete;
  FrameBus& operator=(const FrameBus&) = delete;

  const std::string& name() const { return name_; }

  // The returned subscription first receives a keyframe; joining requests one. `capacity`
  // 0 takes the bus's mailbox_capacity; a recorder asks for a larger one so a slow disk
  // never costs it frames while live viewers keep their short mailboxes.
  std::shared_ptr<Subscription> subscribe(std::function<void()> wake, std::size_t capacity = 0);
  void unsubscribe(const std::shared_ptr<Subscription>& subscription);
  std::size_t subscriberCount() const;

  void publish(const core::FramePtr& frame);
  // Gives `keyframe` (e.g. the cached last one) to the subscribers still waiting for a
  // keyframe, and to nobody else. For sources that cannot make keyframes on request
  // (passed-through cameras): a new viewer starts at once. Returns how many took it.
  std::size_t primeWaiting(const core::FramePtr& keyframe);

  // Keyframe requests from anyone (clients, joins, drops) go through the coalescing gate.
  void requestKeyframe();
  void setKeyframeSender(std::function<void()> send);
  void setDemandListener(std::function<void(std::size_t subscribers)> listener);

  // Transports report when a frame's bytes were written to a socket (for stage latency).
  void recordSent(const core::EncodedFrame& frame, std::int64_t written_wall_us);

  // The most recent frame and the most recent keyframe (for state and late joiners' info).
  core::FramePtr lastKeyframe() const;
  FrameBusStats stats() const;

 private:
  using List = std::vector<std::shared_ptr<Subscription>>;
  void notifyDemand(std::size_t count);

  const std::string name_;
  const FrameBusOptions options_;
  KeyframeGate keyframe_gate_;

  mutable std::mutex mutex_;  // guards the fields below; never held while pushing
  std::shared_ptr<const List> subscribers_ = std::make_shared<List>();
  std::function<void(std::size_t)> demand_listener_;
  core::FramePtr last_keyframe_;
  std::uint64_t frames_published_ = 0;
  std::uint64_t keyframes_published_ = 0;
  std::uint64_t bytes_published_ = 0;

  std::mutex demand_mutex_;  // serialises demand notifications so they arrive in order

  RateMeter rate_;
  SampleWindow source_to_encoder_;
  SampleWindow encode_;
  SampleWindow encoded_to_sent_;
  SampleWindow capture_to_sent_;
};

}  // namespace framewire::bus
