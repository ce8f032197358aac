#pragma once
// framewire's settings as plain values. Filled from defaults, then a YAML file (--config),
// then command-line flags (flags win). See docs/config.md for every key.

#include <cstdint>
#include <string>
#include <vector>

#include "config/audio_settings.hpp"
#include "config/record_settings.hpp"
#include "config/security_settings.hpp"
#include "config/branch_settings.hpp"
#include "config/source_settings.hpp"
#include "config/webrtc_settings.hpp"

namespace framewire::config {

struct Config {
  // Network
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string web_dir;  // empty: the built-in default (the source tree's web/)

  // Source
  std::string source = "test";
  int width = 1280;
  int height = 720;
  int fps = 60;
  SourceSettings source_settings;  // display, device, file, URL, stdin format, signal timeout

  // H.264 branch "main"
  int bitrate_kbps = 4000;
  int gop = 0;  // frames between keyframes; 0 = keyframes only on request (joins, losses)
  std::string preset = "ultrafast";             // x264 speed-preset
  std::string profile = "constrained-baseline";  // H.264 profile

  // Encoded branches from `branches:` (YAML only); empty: one H.264 branch "main" from the
  // settings above.
  std::vector<BranchConfig> branches;

  // JPEG branch (MJPEG and snapshots)
  int jpeg_quality = 80;
  int jpeg_fps = 30;

  // Lifecycle
  double linger_seconds = 5.0;  // keep capturing this long after the last viewer leaves
  int nice = -10;  // scheduling priority set at start-up, when permitted (0: leave it)

  std::string log_level = "info";

  WebRtcSettings webrtc;  // WHEP / WebRTC transport

  SecuritySettings security;  // login, sessions, failed-login throttling
  RecordSettings record;  // recording to MP4, broadcasting to RTMP/SRT/WHIP
  AudioSettings audio;    // audio capture and encoding
};

}  // namespace framewire::config
