// x11: a display (whole screen or a region), grabbed at the stream's fps. No damage gating:
// ximagesrc use-damage=true only sends changed frames, which stalls encoders on a still
// desktop and hides a dead display; here every tick yields a frame.
#include "media/sources/x11_source.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "media/sources/x11_guard.hpp"

namespace framewire::media {

SourceSpec x11Source(const config::Config& config) {
  const auto& s = config.source_settings;
  installX11Guard();  // a closed display must fail the capture, not exit the process
  std::string display = s.x11_display;
  if (display.empty()) {
    const char* env = std::getenv("DISPLAY");
    display = env != nullptr ? env : ":0";
  }
  std::string region;
  if (s.x11_region.width > 0) {
    // endx/endy are inclusive.
    region = fmt::format(" startx={} starty={} endx={} endy={}", s.x11_region.x, s.x11_region.y,
                         s.x11_region.x + s.x11_region.width - 1,
                         s.x11_region.y + s.x11_region.height - 1);
  }
  SourceSpec spec;
  spec.description = fmt::format(
      "ximagesrc name=source display-name=\"{}\" use-damage=false show-pointer={}{} "
      "! video/x-raw,framerate={}/1 ! {}",
      display, s.x11_pointer ? "true" : "false", region, config.fps, rawTail(config));
  spec.error_reason = "display closed";
  spec.end_reason = "display closed";
  spec.elements = {"ximagesrc", "videoconvert", "videoscale"};
  return spec;
}

}  // namespace framewire::media
