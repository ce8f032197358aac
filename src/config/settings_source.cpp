#include <fmt/format.h>

#include <charconv>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

[[noreturn]] void invalid(const std::string& where, const std::string& value,
                          const std::string& valid) {
  throw ConfigError(fmt::format("{}: '{}' is not valid: {}", where, value, valid));
}

// "X,Y,WxH" (a region of the screen) or "" / "full" (the whole screen).
Region parseRegion(const std::string& where, const std::string& text) {
  if (text.empty() || text == "full") return {};
  Region r;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto number = [&](int& out, char stop) {
    auto [next, ec] = std::from_chars(p, end, out);
    if (ec != std::errc() || out < 0 || (stop != 0 && (next == end || *next != stop)) ||
        (stop == 0 && next != end)) {
      invalid(where, text, "must be X,Y,WxH (e.g. 0,0,1280x720) or full");
    }
    p = next + (stop != 0 ? 1 : 0);
  };
  number(r.x, ',');
  number(r.y, ',');
  number(r.width, 'x');
  number(r.height, 0);
  if (r.width < 16 || r.height < 16) invalid(where, text, "the region must be at least 16x16");
  return r;
}

bool parseBool(const std::string& where, const std::string& text) {
  return parseChoice(where, text, {"true", "false"}) == "true";
}

}  // namespace

// Source settings: display, device, file, URL, stdin format, signal timeout.
void addSourceSettings(std::vector<Setting>& t) {
  const SourceSettings d;
  t.push_back({{"x11-display", "DISPLAY", "x11: the X display to capture (default: $DISPLAY)", ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.source_settings.x11_display = v;
               }});
  t.push_back({{"x11-region", "X,Y,WxH", "x11: capture only this region (default: full screen)",
                "full"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source_settings.x11_region = parseRegion(w, v);
               }});
  t.push_back({{"x11-pointer", "BOOL", "x11: draw the mouse pointer (true or false)", "true"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source_settings.x11_pointer = parseBool(w, v);
               }});
  t.push_back({{"format", "NAME", "stdin: raw pixel format: i420, nv12, rgb or bgr", d.format},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source_settings.format = parseChoice(w, v, {"i420", "nv12", "rgb", "bgr"});
               }});
  t.push_back(
      {{"codec", "NAME", "stdin: raw frames, or h264 (Annex-B, passed through)", d.codec},
       [](Config& c, const std::string& w, const std::string& v) {
         c.source_settings.codec = parseChoice(w, v, {"raw", "h264"});
       }});
  t.push_back({{"exit-on-eof", "BOOL", "stdin: end framewire when the input ends", "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source_settings.exit_on_eof = parseBool(w, v);
               }});
  t.push_back({{"file", "PATH", "file: the video file to play, looped", ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (v.empty()) invalid(w, v, "must be a file path");
                 c.source_settings.file = v;
               }});
  t.push_back({{"url", "URL", "rtsp: the camera's rtsp:// URL", ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (v.rfind("rtsp://", 0) != 0 && v.rfind("rtsps://", 0) != 0) {
                   invalid(w, v, "must start with rtsp:// or rtsps://");
                 }
                 c.source_settings.url = v;
               }});
  t.push_back({{"device", "PATH", "v4l2: the capture device", d.device},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (v.empty()) invalid(w, v, "must be a device path such as /dev/video0");
                 c.source_settings.device = v;
               }});
  t.push_back({{"signal-timeout", "SECONDS",
                "show NO SIGNAL after this long without a frame, 0.1 to 60",
                fmt::format("{:g}", d.signal_timeout_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.source_settings.signal_timeout_s = parseNumber(w, v, 0.1, 60);
               }});
}

}  // namespace framewire::config
