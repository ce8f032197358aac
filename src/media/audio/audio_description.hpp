#pragma once
// The audio pipeline as a gst-launch description, from the settings: a capture part (test
// tone, PulseAudio, ALSA, PipeWire or a custom one), conversion to the encoder's format, the
// encoder (Opus in low-delay mode, or G.711 / G.722 for WebRTC clients that need them) and an
// appsink named `audio_sink`. No GStreamer here: the description and the element names only.

#include <string>
#include <vector>

#include "config/audio_settings.hpp"
#include "media/audio/test_burst.hpp"

namespace framewire::media {

struct AudioFormat {
  std::string codec;  // "opus", "pcmu", "pcma", "g722"
  int sample_rate = 48000;  // of the encoder's input
  int channels = 2;
  int frame_ms = 10;
  int rtp_clock_rate = 48000;  // G.722's is 8000 by RFC 3551, whatever its sample rate
  std::string rtp_encoding;    // "OPUS", "PCMU", "PCMA", "G722"
};

AudioFormat audioFormatFor(const config::AudioSettings& audio);


struct AudioPlan {
  std::string source;       // resolved: test, pulse, alsa, pipewire (never auto / none)
  std::string description;  // the whole pipeline
  std::vector<std::string> elements;  // element factories it needs (for a clear error)
  AudioFormat format;
  bool burst = false;  // the test source makes TestBurst bursts: the engine writes them
                       // (writeTestBurst) into the buffers of the element `burst_source`
  // Capture times from when the raw buffers leave the capture part (CaptureOffset), measured
  // at the sink pad of the element named `capture_end`: every source but the built-in test
  // source, whose buffers are made on the pipeline clock itself.
  bool measured_capture = false;
};

// `source` is effectiveAudioSource(); must not be "none".
AudioPlan describeAudio(const config::AudioSettings& audio, const std::string& source);

}  // namespace framewire::media
