#pragma once
// Audio settings (docs/config.md, "Audio"): where the sound comes from and how it is encoded.
// Audio is encoded once, like the picture, into its own bus that WebRTC peers and Direct
// clients (?audio=1) subscribe to.

#include <string>

namespace framewire::config {

struct AudioSettings {
  // auto (test with the test source, none otherwise), test, pulse, alsa, pipewire, none
  std::string source = "auto";
  std::string device;        // pulse / alsa / pipewire device; empty: the system default
  std::string pipeline;      // gst-launch capture part ending in raw audio; {device} replaced
  // The test source's sound: "tone" (a steady 440 Hz) or "burst" (a 20 ms 1 kHz burst once a
  // second, at known capture times: for measuring the sound's delay, bench/audio.mjs).
  std::string test_signal = "tone";
  std::string codec = "opus";  // opus, pcmu, pcma, g722 (Direct carries opus only)
  int bitrate_kbps = 64;     // opus only, 6 to 510
  int frame_ms = 10;         // 10 or 20
  // The page's default for lip sync (web/js/av_sync.js): the picture waits for its sound.
  bool lipsync = false;
  // The viewer's microphone back to the host (WebRTC): off unless enabled; played into this
  // PulseAudio sink (empty: the default sink).
  bool microphone = false;
  std::string microphone_sink;
};

// The source actually used: `auto` resolved against the video source.
std::string effectiveAudioSource(const AudioSettings& audio, const std::string& video_source);

}  // namespace framewire::config
