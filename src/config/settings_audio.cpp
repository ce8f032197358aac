// Audio settings. Every error names the key, the value and what would be valid.

#include <fmt/format.h>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

// PulseAudio / ALSA / PipeWire names: no spaces, quotes, '!' or control characters.
std::string deviceName(const std::string& where, const std::string& value, const char* what) {
  for (unsigned char ch : value) {
    if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\'' || ch == '!' || ch == ' ') {
      throw ConfigError(fmt::format(
          "{}: '{}' is not valid: {} has no spaces, quotes, '!' or control characters", where,
          value, what));
    }
  }
  return value;
}

}  // namespace

std::string effectiveAudioSource(const AudioSettings& audio, const std::string& video_source) {
  if (audio.source != "auto") return audio.source;
  return video_source == "test" ? "test" : "none";
}

void addAudioSettings(std::vector<Setting>& t) {
  const AudioSettings d;
  t.push_back({{"audio-source", "SOURCE",
                "where sound comes from: auto (a test tone with the test source, none "
                "otherwise), test, pulse, alsa, pipewire, none",
                d.source},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.source =
                     parseChoice(w, v, {"auto", "test", "pulse", "alsa", "pipewire", "none"});
               }});
  t.push_back({{"audio-device", "NAME",
                "PulseAudio source (e.g. a sink's monitor: alsa_output.pci-0000_00_1f.3."
                "analog-stereo.monitor), ALSA device (hw:0,0) or PipeWire node (NAME.monitor: what "
                "the sink NAME plays); empty: the default",
                d.device},
               [](Config& c, const std::string& w, const std::string& v) {
                 for (unsigned char ch : v) {
                   if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\'' || ch == '!' ||
                       ch == ' ') {
                     throw ConfigError(fmt::format(
                         "{}: '{}' is not valid: a device name has no spaces, quotes, '!' or "
                         "control characters",
                         w, v));
                   }
                 }
                 c.audio.device = v;
               }});
  t.push_back({{"audio-pipeline", "GST",
                "custom capture part (gst-launch syntax) ending in raw audio, {device} is "
                "replaced by audio-device; replaces audio-source's own capture elements",
                d.pipeline},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (v.find("appsink") != std::string::npos) {
                   throw ConfigError(fmt::format(
                       "{}: '{}' is not valid: give the capture part only (it ends in raw "
                       "audio; framewire adds the encoder and the appsink)",
                       w, v));
                 }
                 c.audio.pipeline = v;
               }});
  t.push_back({{"audio-test-signal", "SIGNAL",
                "the test source's sound: tone (a steady 440 Hz) or burst (a 20 ms 1 kHz burst "
                "once a second, for measuring the sound's delay)",
                d.test_signal},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.test_signal = parseChoice(w, v, {"tone", "burst"});
               }});
  t.push_back({{"audio-codec", "CODEC",
                "audio encoding: opus (every mode), pcmu, pcma or g722 (WebRTC only, for "
                "clients without Opus)",
                d.codec},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.codec = parseChoice(w, v, {"opus", "pcmu", "pcma", "g722"});
               }});
  t.push_back({{"audio-bitrate", "KBPS", "Opus bitrate in kbit/s, 6 to 510",
                std::to_string(d.bitrate_kbps)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.bitrate_kbps = static_cast<int>(parseInteger(w, v, 6, 510));
               }});
  t.push_back({{"audio-frame-ms", "MS",
                "audio frame length in ms: 10 (lowest delay) or 20 (fewer packets)",
                std::to_string(d.frame_ms)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.frame_ms = std::stoi(parseChoice(w, v, {"10", "20"}));
               }});
  t.push_back({{"audio-lipsync", "BOOL",
                "the page delays the picture to play with its sound (lip sync) instead of "
                "showing each picture at once; the page's ?lipsync=0|1 overrides: true or false",
                d.lipsync ? "true" : "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.lipsync = parseChoice(w, v, {"true", "false"}) == "true";
               }});
  t.push_back({{"microphone", "BOOL",
                "play the WebRTC viewer's microphone into a PulseAudio sink (one viewer at a "
                "time; with users-file only logged-in viewers): true or false",
                d.microphone ? "true" : "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.microphone = parseChoice(w, v, {"true", "false"}) == "true";
               }});
  t.push_back({{"microphone-sink", "NAME",
                "PulseAudio sink the viewer's microphone plays into (a null sink's monitor "
                "then serves as a virtual microphone); empty: the default sink",
                d.microphone_sink},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.audio.microphone_sink = deviceName(w, v, "a sink name");
               }});
}

}  // namespace framewire::config
