#include "media/sources/source_spec.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "media/sources/file_source.hpp"
#include "media/sources/rtsp_source.hpp"
#include "media/sources/stdin_source.hpp"
#include "media/sources/v4l2_source.hpp"
#include "media/sources/x11_source.hpp"
#include "media/test_source.hpp"

namespace framewire::media {

std::string rawTail(const config::Config& config) {
  if (!config.source_settings.size_given) {
    return "videoconvert ! video/x-raw,format=I420";
  }
  // add-borders keeps the picture's shape: a 4:3 source in a 16:9 stream gets black bars.
  return fmt::format(
      "videoconvert ! videoscale add-borders=true ! "
      "video/x-raw,format=I420,width={},height={},pixel-aspect-ratio=1/1",
      config.width, config.height);
}

SourceSpec describeSource(const config::Config& config) {
  const std::string& name = config.source;
  if (name == "test") {
    SourceSpec spec;
    spec.description = sourceDescription(config);
    spec.elements = sourceElements(config);
    return spec;
  }
  if (name == "x11") return x11Source(config);
  if (name == "stdin") return stdinSource(config);
  if (name == "file") return fileSource(config);
  if (name == "rtsp") return rtspSource(config);
  if (name == "v4l2") return v4l2Source(config);
  throw std::runtime_error("source '" + name +
                           "' is not valid (valid: test, x11, stdin, file, rtsp, v4l2)");
}

}  // namespace framewire::media
