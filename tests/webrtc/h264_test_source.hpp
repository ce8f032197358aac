#pragma once
// A small live H.264 source for the WebRTC tests: videotestsrc ! x264enc (constrained
// baseline, zero latency, keyframes only on request) ! appsink → FrameBus. Keyframe requests
// from the bus reach x264enc as upstream force-key-unit events, and are counted.

#include <gst/gst.h>

#include <atomic>

#include "bus/frame_bus.hpp"

namespace framewire::test {

class H264TestSource {
 public:
  explicit H264TestSource(bus::FrameBus& bus, int width = 320, int height = 240, int fps = 30);
  ~H264TestSource();
  H264TestSource(const H264TestSource&) = delete;
  H264TestSource& operator=(const H264TestSource&) = delete;

  std::uint64_t keyframesRequested() const { return requested_.load(); }
  std::uint64_t keyframesProduced() const { return keyframes_.load(); }
  std::uint64_t framesProduced() const { return frames_.load(); }

 private:
  static GstFlowReturn onSample(GstElement* sink, gpointer self);

  bus::FrameBus& bus_;
  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
  std::atomic<std::uint64_t> requested_{0};
  std::atomic<std::uint64_t> keyframes_{0};
  std::atomic<std::uint64_t> frames_{0};
};

}  // namespace framewire::test
