#include "media/encoders/branch_control.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace framewire::media {

void checkBranchChange(const BranchChange& change, int min_kbps, int max_kbps) {
  const auto check = [](const char* key, const std::optional<int>& v, int min, int max) {
    if (v && (*v < min || *v > max)) {
      throw std::invalid_argument(
          fmt::format("{}: {} is not valid: must be {} to {}", key, *v, min, max));
    }
  };
  check("bitrate", change.bitrate_kbps, min_kbps, max_kbps);
  check("fps", change.fps, 1, 240);
  check("gop", change.gop, 0, 100000);
  check("width", change.width, 16, 7680);
  check("height", change.height, 16, 4320);
  // I420 halves both dimensions for its chroma planes.
  for (const auto& [key, v] : {std::pair{"width", change.width}, std::pair{"height", change.height}}) {
    if (v && *v % 2 != 0) {
      throw std::invalid_argument(fmt::format("{}: {} is not valid: must be even", key, *v));
    }
  }
}

}  // namespace framewire::media
