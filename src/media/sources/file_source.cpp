// file: anything GStreamer decodes, looped (the capture pipeline seeks to the start at the end
// of the stream) and paced in real time by clocksync, since decoding runs as fast as it can.
#include "media/sources/file_source.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace framewire::media {

SourceSpec fileSource(const config::Config& config) {
  const std::string& path = config.source_settings.file;
  if (path.empty()) throw std::runtime_error("--source file needs --file PATH");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error("--file: '" + path + "' is not a readable file");
  }
  SourceSpec spec;
  spec.loop = true;
  spec.error_reason = "input ended";
  spec.end_reason = "input ended";
  // The path is quoted for gst-launch; a double quote in it would end the string.
  std::string quoted;
  for (char c : path) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  spec.description = fmt::format(
      "filesrc name=source location=\"{}\" ! decodebin ! videoconvert ! videorate "
      "! video/x-raw,framerate={}/1 ! clocksync ! {}",
      quoted, config.fps, rawTail(config));
  spec.elements = {"filesrc", "decodebin", "videorate", "clocksync", "videoconvert"};
  return spec;
}

}  // namespace framewire::media
