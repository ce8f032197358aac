#include "media/test_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace framewire::media {

std::string sourceDescription(const config::Config& config) {
  if (config.source != "test") {
    throw std::runtime_error("source '" + config.source + "' is not supported yet (valid: test)");
  }
  // A live source paced by the clock, I420 straight from videotestsrc (no conversion).
  // The SMPTE bars scroll so motion is visible and the encoder has real work; the wall clock
  // and the running time sit at the bottom, away from the latency stamp's top 16-pixel band.
  // The font already follows the height: auto-resize=false keeps the overlays from scaling it
  // again by width/640 (3x at 1080p, text that cost ~8 ms of the capture thread per frame;
  // ~1.7 ms this way). bench/baseline draws the same picture.
  return fmt::format(
      "videotestsrc name=source is-live=true pattern=smpte horizontal-speed=4 "
      "! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,"
      "pixel-aspect-ratio=1/1 "
      "! clockoverlay name=clock halignment=right valignment=bottom shaded-background=true "
      "auto-resize=false time-format=\"%H:%M:%S\" font-desc=\"Sans {font}\" "
      "! timeoverlay name=time halignment=left valignment=bottom shaded-background=true "
      "auto-resize=false font-desc=\"Sans {font}\"",
      fmt::arg("w", config.width), fmt::arg("h", config.height), fmt::arg("fps", config.fps),
      fmt::arg("font", std::max(12, config.height / 24)));
}

std::vector<std::string> sourceElements(const config::Config& config) {
  if (config.source == "test") return {"videotestsrc", "clockoverlay", "timeoverlay"};
  return {};
}

}  // namespace framewire::media
