// stdin: raw frames (I420, NV12, RGB, BGR at --size and --fps) or H.264 Annex-B from another
// program. Frames are timed by their arrival: the producer paces them.
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
    // Cut into access units by framewire, not h264parse (which rewrites start codes and adds
    // delimiters): what viewers get is byte for byte what the producer wrote.
    spec.split_access_units = true;
    spec.description = "fdsrc name=source fd=0 blocksize=65536";
    spec.elements = {"fdsrc"};
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
