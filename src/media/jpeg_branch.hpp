#pragma once
// The JPEG branch: jpegenc at the configured quality, at most jpeg_fps pictures per second,
// feeding the LatestFrameBus (MJPEG clients and snapshots).
//
// The rate cap drops frames before the encoder by capture time (cheaper than videorate, and
// nothing is encoded only to be thrown away). Threads: as EncodeBranch.

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "bus/latest_frame_bus.hpp"
#include "config/config.hpp"
#include "media/encode_branch.hpp"

namespace framewire::media {

class JpegBranch {
 public:
  JpegBranch(const config::Config& config, ControlLoop& loop, bus::LatestFrameBus& bus);

  static std::string description(const config::Config& config);

  EncodeBranch& branch() { return branch_; }
  const EncodeBranch& branch() const { return branch_; }

  void setDemand(std::size_t watchers) { branch_.setOpen(watchers > 0); }
  // Control thread: the stream's size changed; the encoder follows (rebuilt), watchers stay.
  void resize(int width, int height);

  // Capture thread.
  void offer(GstBuffer* buffer, std::int64_t capture_us);

 private:
  bool admit(std::int64_t capture_us);
  void publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us);

  config::Config config_;  // its size changes on the control thread (resize)
  bus::LatestFrameBus& bus_;
  std::atomic<int> width_;
  std::atomic<int> height_;
  const std::int64_t interval_us_;  // 0: no cap
  std::int64_t next_due_us_ = 0;    // capture thread only
  std::atomic<std::uint64_t> sequence_{0};
  EncodeBranch branch_;
};

}  // namespace framewire::media
