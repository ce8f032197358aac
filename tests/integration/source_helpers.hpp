#pragma once
// Test helpers for sources: a pipe standing in for the process's stdin, H.264 access units
// and media files made with real GStreamer encoders, and small polling helpers.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bus/subscription.hpp"
#include "core/encoded_frame.hpp"

namespace framewire::testing {

// Replaces fd 0 with the read end of a pipe for the object's life; write() feeds it and
// closeInput() ends it (the reader sees end of file). The original stdin comes back after.
class StdinPipe {
 public:
  StdinPipe();
  ~StdinPipe();
  StdinPipe(const StdinPipe&) = delete;
  StdinPipe& operator=(const StdinPipe&) = delete;

  bool write(const std::vector<std::uint8_t>& bytes);
  void closeInput();

 private:
  int saved_stdin_ = -1;
  int write_fd_ = -1;
};

// `count` frames of videotestsrc at width x height encoded by x264 (baseline, no B-frames,
// a keyframe every `gop` frames) as Annex-B access units, one vector per AU.
std::vector<std::vector<std::uint8_t>> makeH264AccessUnits(int count, int width, int height,
                                                           int gop);

// One I420 frame of a flat grey level.
std::vector<std::uint8_t> makeI420Frame(int width, int height, std::uint8_t luma);

// Writes a `seconds`-long MP4 (H.264) of width x height at fps into `path`. Returns success.
bool makeVideoFile(const std::string& path, double seconds, int width, int height, int fps);

std::vector<core::FramePtr> collectFor(bus::Subscription& subscription,
                                       std::chrono::milliseconds duration);
bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace framewire::testing

namespace framewire::testing {
// The luma at (x, y) of a JPEG picture, decoded with jpegdec; -1 when it does not decode.
int jpegLumaAt(const core::EncodedFrame& jpeg, int x, int y);
}  // namespace framewire::testing
