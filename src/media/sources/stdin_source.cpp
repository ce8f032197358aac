// stdin: raw frames (I420, NV12, RGB, BGR at --size and --fps) or H.264 Annex-B from another
// program. Raw frames are timed by their arrival: the producer paces them.
#include "media/sources/stdin_source.hpp"

#include <fmt/format.h>

namespace framewire::media {

SourceSpec stdinSource(const config::Config& config) {
  const auto& s = config.source_settings;
  SourceSpec spec;
  spec.restart_when_silent = false;  // rebuilding would lose bytes of the stream mid-frame
  spec.error_reason = "input ended";
  spec.end_reason = "input ended";
  if (s.codec == "h264") {
    spec.encoded = true;
    spec.description = "fdsrc name=source fd=0 blocksize=65536 do-timestamp=true";
    spec.elements = {"fdsrc", "h264parse"};
    return spec;
  }
  const std::string format = s.format == "i420"   ? "i420"
                             : s.format == "nv12" ? "nv12"
                             : s.format == "rgb"  ? "rgb"
                                                  : "bgr";
  spec.description = fmt::format(
      "fdsrc name=source fd=0 blocksize=65536 "
      "! rawvideoparse use-sink-caps=false format={} width={} height={} framerate={}/1 "
      "! videoconvert ! video/x-raw,format=I420",
      format, config.width, config.height, config.fps);
  spec.elements = {"fdsrc", "rawvideoparse", "videoconvert"};
  return spec;
}

}  // namespace framewire::media
