#include <fmt/format.h>

#include <filesystem>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {
std::string toString(double value) { return fmt::format("{:g}", value); }
}  // namespace

// Network, source, H.264, JPEG and lifecycle settings.
void addGeneralSettings(std::vector<Setting>& t) {
  const Config d;
  t.push_back({{"listen", "HOST:PORT", "address to serve on (port 0 picks a free port)",
                fmt::format("{}:{}", d.listen_host, d.listen_port)},
               [](Config& c, const std::string& w, const std::string& v) {
                 std::tie(c.listen_host, c.listen_port) = parseListen(w, v);
               }});
  t.push_back({{"source", "NAME", "picture source: test, x11, stdin, file, rtsp or v4l2", d.source},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source = parseChoice(w, v, {"test", "x11", "stdin", "file", "rtsp", "v4l2"});
               }});
  t.push_back({{"size", "WxH", "picture size", fmt::format("{}x{}", d.width, d.height)},
               [](Config& c, const std::string& w, const std::string& v) {
                 std::tie(c.width, c.height) = parseSize(w, v);
                 c.source_settings.size_given = true;  // sources with their own size scale to it
               }});
  t.push_back({{"fps", "N", "frames per second, 1 to 240", std::to_string(d.fps)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.fps = static_cast<int>(parseInteger(w, v, 1, 240));
               }});
  t.push_back({{"bitrate", "KBPS", "H.264 bitrate in kbit/s, 100 to 100000",
                std::to_string(d.bitrate_kbps)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.bitrate_kbps = static_cast<int>(parseInteger(w, v, 100, 100000));
               }});
  t.push_back(
      {{"gop", "FRAMES", "frames between keyframes; 0 = keyframes only on request (joins, losses)",
        std::to_string(d.gop)},
       [](Config& c, const std::string& w, const std::string& v) {
         c.gop = static_cast<int>(parseInteger(w, v, 0, 100000));
       }});
  t.push_back({{"preset", "NAME", "x264 speed preset", d.preset},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.preset = parseChoice(w, v,
                                        {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                         "medium", "slow", "slower", "veryslow"});
               }});
  t.push_back(
      {{"profile", "NAME", "H.264 profile", d.profile},
       [](Config& c, const std::string& w, const std::string& v) {
         c.profile = parseChoice(w, v, {"constrained-baseline", "baseline", "main", "high"});
       }});
  t.push_back({{"jpeg-quality", "Q", "JPEG quality for MJPEG and snapshots, 1 to 100",
                std::to_string(d.jpeg_quality)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.jpeg_quality = static_cast<int>(parseInteger(w, v, 1, 100));
               }});
  t.push_back(
      {{"jpeg-fps", "N", "most JPEG pictures per second, 1 to 120", std::to_string(d.jpeg_fps)},
       [](Config& c, const std::string& w, const std::string& v) {
         c.jpeg_fps = static_cast<int>(parseInteger(w, v, 1, 120));
       }});
  t.push_back(
      {{"linger", "SECONDS", "keep capturing this long after the last viewer leaves, 0 to 3600",
        toString(d.linger_seconds)},
       [](Config& c, const std::string& w, const std::string& v) {
         c.linger_seconds = parseNumber(w, v, 0, 3600);
       }});
  t.push_back({{"nice", "N",
                "scheduling priority (nice) framewire sets for itself at start-up, -20 to 19; "
                "0 leaves it",
                std::to_string(d.nice)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.nice = static_cast<int>(parseInteger(w, v, -20, 19));
               }});
  t.push_back(
      {{"log-level", "LEVEL", "trace, debug, info, warn, error or off", d.log_level},
       [](Config& c, const std::string& w, const std::string& v) {
         c.log_level = parseChoice(w, v, {"trace", "debug", "info", "warn", "error", "off"});
       }});
  t.push_back(
      {{"web-dir", "DIR", "directory of the web UI (default: the built-in one)", ""},
       [](Config& c, const std::string& w, const std::string& v) {
         std::error_code ec;
         if (!std::filesystem::is_regular_file(std::filesystem::path(v) / "index.html", ec)) {
           throw ConfigError(
               fmt::format("{}: '{}' is not valid: must be a directory holding index.html", w, v));
         }
         c.web_dir = v;
       }});
}

}  // namespace framewire::config
