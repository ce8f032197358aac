#pragma once
// AudioEngine: captures sound and encodes it once into its own FrameBus ("audio"), which
// WebRTC peers and Direct clients (?audio=1) subscribe to, as they do to a video branch.
//
// Nothing runs for nobody: the pipeline starts with the first subscriber and stops `linger`
// seconds after the last. Each frame carries its capture time on the wall clock (the clock of
// the video's latency stamp), so players can line sound and picture up. Every frame is marked
// a keyframe (each decodes on its own).
//
// A missing device (no PulseAudio server, a wrong ALSA name) is one warning line; the engine
// retries quietly with backoff while someone listens, and video is never affected.
//
// Threads: construct, start() and stop() on the main thread; bus() and state() from any
// thread. Pipeline state changes run on the engine's own control thread.

#include <cstdint>
#include <memory>
#include <string>

#include "bus/frame_bus.hpp"
#include "config/config.hpp"
#include "media/audio/audio_description.hpp"

namespace framewire::media {

struct AudioState {
  std::string source;  // "none", "test", "pulse", "alsa", "pipewire"
  std::string codec;   // "opus", ...
  int sample_rate = 0;
  int channels = 0;
  int frame_ms = 0;
  bool lipsync = false;  // the page's default (audio-lipsync), passed on in /api/state
  bool capturing = false;
  std::string error;   // why capture is not running although someone listens; "" otherwise
  std::uint64_t frames = 0;
  std::uint64_t failures = 0;
  // audio-test-signal burst: the wall time (µs) of the running pipeline's first burst onset;
  // the others follow every TestBurst::kPeriodMs. 0: no bursts, or not capturing yet.
  std::int64_t burst_epoch_us = 0;
};

class AudioEngine {
 public:
  // Never throws for a device problem; a missing GStreamer element disables audio with a log
  // line naming the package.
  explicit AudioEngine(const config::Config& config);
  ~AudioEngine();
  AudioEngine(const AudioEngine&) = delete;
  AudioEngine& operator=(const AudioEngine&) = delete;

  void start();
  void stop();

  // Null when audio is off (audio-source none, or an element is missing).
  bus::FrameBus* bus();
  // The encoding on the bus (valid whether or not bus() is null).
  const AudioFormat& format() const;
  AudioState state() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::media
