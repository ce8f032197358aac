// rtsp: an RTSP camera's H.264, depayloaded and passed through without re-encoding. A lost
// connection fails the capture; it reconnects every second.
#include "media/sources/rtsp_source.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace framewire::media {

SourceSpec rtspSource(const config::Config& config) {
  const std::string& url = config.source_settings.url;
  if (url.empty()) throw std::runtime_error("--source rtsp needs --url rtsp://...");
  SourceSpec spec;
  spec.encoded = true;
  spec.error_reason = "camera unreachable";
  spec.end_reason = "camera unreachable";
  // latency=0: no jitter buffer delay on a LAN; drop-on-latency keeps it from growing.
  spec.description = fmt::format(
      "rtspsrc name=source location=\"{}\" latency=0 drop-on-latency=true tcp-timeout=2000000 "
      "! rtph264depay",
      url);
  spec.elements = {"rtspsrc", "rtph264depay", "h264parse"};
  return spec;
}

}  // namespace framewire::media
