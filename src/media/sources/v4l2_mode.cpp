#include "media/sources/v4l2_mode.hpp"

#include <cmath>
#include <cstdlib>
#include <tuple>

namespace framewire::media {
namespace {

int kindRank(V4l2Kind kind) {
  switch (kind) {
    case V4l2Kind::kH264:
      return 0;
    case V4l2Kind::kRaw:
      return 1;
    case V4l2Kind::kMjpeg:
      return 2;
  }
  return 3;
}

// Smaller is better, compared lexicographically.
auto cost(const V4l2Mode& m, const V4l2Request& r) {
  // Relative size error, so 1920x1080 vs 1280x720 weighs the same at any scale. A bigger
  // mode is slightly preferred to a smaller one at equal error: downscaling loses nothing.
  const double area_ratio = (static_cast<double>(m.width) * m.height) /
                            std::max(1.0, static_cast<double>(r.width) * r.height);
  const double size_error = std::abs(std::log(area_ratio)) + (area_ratio < 1 ? 1e-3 : 0) +
                            std::abs(static_cast<double>(m.width) / std::max(1, m.height) -
                                     static_cast<double>(r.width) / std::max(1, r.height));
  const int exact = (m.width == r.width && m.height == r.height) ? 0 : 1;
  const int shortfall = std::max(0, r.fps - m.fps);
  const int excess = std::max(0, m.fps - r.fps);
  return std::make_tuple(exact, size_error, shortfall, excess, kindRank(m.kind));
}

}  // namespace

std::optional<V4l2Mode> chooseV4l2Mode(const std::vector<V4l2Mode>& modes,
                                       const V4l2Request& request) {
  std::optional<V4l2Mode> best;
  for (const auto& mode : modes) {
    if (mode.width <= 0 || mode.height <= 0 || mode.fps <= 0) continue;
    if (!best || cost(mode, request) < cost(*best, request)) best = mode;
  }
  return best;
}

std::string describeV4l2Mode(const V4l2Mode& mode) {
  const std::string name = mode.kind == V4l2Kind::kH264    ? "H264"
                           : mode.kind == V4l2Kind::kMjpeg ? "MJPEG"
                                                           : mode.format;
  return name + " " + std::to_string(mode.width) + "x" + std::to_string(mode.height) + "@" +
         std::to_string(mode.fps);
}

}  // namespace framewire::media
