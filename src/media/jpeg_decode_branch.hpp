#pragma once
// The JPEG branch of a pass-through source: H.264 access units are decoded (avdec_h264) and
// re-encoded as JPEG for MJPEG clients and snapshots, only while someone watches.
//
// A decoder can only start at a keyframe. When the valve opens, the last keyframe the source
// sent (cached here) goes in first, so the first picture comes at once; then access units are
// skipped until the source's next keyframe, so no JPEG shows a half-decoded picture.
//
// Threads: offer() on the capture streaming thread; the rest on the ControlLoop thread.

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "bus/latest_frame_bus.hpp"
#include "config/config.hpp"
#include "media/encode_branch.hpp"

namespace framewire::media {

class JpegDecodeBranch {
 public:
  JpegDecodeBranch(const config::Config& config, ControlLoop& loop, bus::LatestFrameBus& bus);

  static std::string description(const config::Config& config);

  EncodeBranch& branch() { return branch_; }
  const EncodeBranch& branch() const { return branch_; }

  void setDemand(std::size_t watchers);

  // Capture thread: every access unit of the source (also while closed: keyframes are cached).
  void offer(GstBuffer* buffer, std::int64_t capture_us, bool keyframe);

 private:
  void publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us);

  bus::LatestFrameBus& bus_;
  std::mutex mutex_;  // guards the cache and the start state
  GstPtr<GstBuffer> last_keyframe_;
  bool started_ = false;  // the decoder got a keyframe since the valve opened
  bool primed_ = false;   // the cached keyframe went in since the valve opened
  std::atomic<std::uint64_t> sequence_{0};
  EncodeBranch branch_;
};

}  // namespace framewire::media
