#pragma once
// Settings of the picture source beyond its name (Config::source): which display, device,
// file or URL, the raw format of stdin, and how long a silent source may stay silent.
// See docs/config.md, "Sources".

#include <string>

namespace framewire::config {

struct Region {
  int x = 0;
  int y = 0;
  int width = 0;  // 0: the whole screen
  int height = 0;
};

struct SourceSettings {
  // x11
  std::string x11_display;  // empty: $DISPLAY
  Region x11_region;
  bool x11_pointer = true;

  // stdin: raw frames of `format` at Config's size and fps, or H.264 Annex-B passed through
  std::string format = "i420";  // i420, nv12, rgb, bgr
  std::string codec = "raw";    // raw, h264 (stdin only)
  bool exit_on_eof = false;     // stdin: end the process when the input ends

  std::string file;    // file: any file GStreamer decodes, looped
  std::string url;     // rtsp: rtsp://...
  std::string device = "/dev/video0";  // v4l2

  // No frame for this long switches viewers to the "NO SIGNAL" picture.
  double signal_timeout_s = 1.0;

  // True when --size / size: was given: a source with its own size (x11, file, rtsp, v4l2)
  // is scaled to it; otherwise the stream takes the source's size.
  bool size_given = false;
};

}  // namespace framewire::config
