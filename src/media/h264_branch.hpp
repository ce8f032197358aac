#pragma once
// The H.264 branch "main": x264 tuned for latency, feeding a FrameBus.
//
// x264enc with zero-latency tuning and no B-frames, Annex-B access units with SPS/PPS before
// every IDR (h264parse config-interval=-1), and keyframes on request through an upstream
// force-key-unit event. GOP 0 means "keyframes only on request": x264's key-int-max=0 would
// mean "automatic" (about 250 frames), so it gets an effectively infinite interval instead.
//
// Threads: as EncodeBranch. forceKeyframe() and setDemand() on the ControlLoop thread.

#include <gst/gst.h>

#include <atomic>
#include <string>

#include "bus/frame_bus.hpp"
#include "config/config.hpp"
#include "media/encode_branch.hpp"

namespace framewire::media {

class H264Branch {
 public:
  H264Branch(const config::Config& config, ControlLoop& loop, bus::FrameBus& bus);

  static std::string description(const config::Config& config);

  EncodeBranch& branch() { return branch_; }
  const EncodeBranch& branch() const { return branch_; }

  // Opens the valve while the bus has subscribers; an opening asks for an IDR, since the
  // encoder's references are stale after a pause.
  void setDemand(std::size_t subscribers);
  void forceKeyframe();

  // Capture thread.
  void offer(GstBuffer* buffer, std::int64_t capture_us) { branch_.push(buffer, capture_us); }

 private:
  void publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us);

  const config::Config config_;
  bus::FrameBus& bus_;
  std::atomic<std::uint64_t> sequence_{0};
  EncodeBranch branch_;
};

}  // namespace framewire::media
