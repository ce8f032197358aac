#pragma once
// Mode selection for V4L2 devices: a pure function from what the device offers and what the
// configuration asks for to the mode to open. No GStreamer here, so it is unit-tested alone.

#include <optional>
#include <string>
#include <vector>

namespace framewire::media {

enum class V4l2Kind { kRaw, kMjpeg, kH264 };

struct V4l2Mode {
  V4l2Kind kind = V4l2Kind::kRaw;
  std::string format;  // GStreamer raw format ("YUY2", "NV12", ...); empty for MJPEG and H.264
  int width = 0;
  int height = 0;
  int fps = 0;  // the highest rate this size offers in this format
};

struct V4l2Request {
  int width = 0;
  int height = 0;
  int fps = 0;
};

// The mode closest to the request, or nothing when there are no modes. In order of weight:
// the size nearest the requested one (exact first), then a rate that reaches the requested fps
// (else the highest), then the cheapest format at that size and rate: H.264 (passed through,
// no encoder), raw, then MJPEG (needs a decoder).
std::optional<V4l2Mode> chooseV4l2Mode(const std::vector<V4l2Mode>& modes,
                                       const V4l2Request& request);

std::string describeV4l2Mode(const V4l2Mode& mode);  // "YUY2 1280x720@30", "MJPEG 1920x1080@60"

}  // namespace framewire::media
