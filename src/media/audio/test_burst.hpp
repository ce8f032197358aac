#pragma once
// audio-test-signal: burst. Silence with a 20 ms 1 kHz burst at every whole period from the
// stream's running time 0, so a burst's capture time is the wall time of running time 0
// (AudioState::burst_epoch_us) plus a whole number of periods. A listener that only hears the
// bursts could not tell a sound 1.2 s late from one 0.2 s late, so each burst is followed by a
// second one of the same kind, its marker, whose distance from the burst says the burst's index
// modulo kCodes: the delay can be read without ambiguity up to kCodes periods (5 s). A distance
// between two onsets survives Opus coding and a jitter buffer far better than a frequency or a
// level would; the steps are wide (40 ms) so a jitter buffer stretching the silence by a few
// ms, or the player dropping a 10 ms frame, does not change the code read. The marker comes
// 300 ms or more after its burst: Opus (restricted-lowdelay, 64 kbit/s) keeps sending full-size
// packets for ~210 ms after a 20 ms tone, and a listener that finds onsets by packet size
// needs quiet packets in between.
// Pure (no GStreamer), header-only: the generator's pattern, sample by sample.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

namespace framewire::media {

struct TestBurst {
  static constexpr int kPeriodMs = 1000;
  static constexpr int kLengthMs = 20;
  static constexpr int kFrequencyHz = 1000;
  static constexpr double kAmplitude = 0.5;
  // The marker of burst i starts kMarkerBaseMs + (i mod kCodes) × kMarkerStepMs after the
  // burst's onset: 300..460 ms, so a marker always comes less than half a period after its
  // burst and the next burst more than half a period after the marker.
  static constexpr int kCodes = 5;
  static constexpr int kMarkerBaseMs = 300;
  static constexpr int kMarkerStepMs = 40;
  static constexpr int kSampleRate = 48000;  // the generator's (the capsfilter after it)
};

// The code the marker of burst `index` (0 at running time 0) carries.
inline int testBurstCode(std::int64_t index) {
  return static_cast<int>(((index % TestBurst::kCodes) + TestBurst::kCodes) % TestBurst::kCodes);
}

// When the marker of a burst with `code` starts, in ms after the burst's onset.
inline int testBurstMarkerMs(int code) {
  return TestBurst::kMarkerBaseMs + code * TestBurst::kMarkerStepMs;
}

// The signal at sample `n` of the stream (n = 0 at running time 0), in [-1, 1]: a sine from
// phase 0 (a sharp onset) for kLengthMs at each burst and each marker, 0 elsewhere.
inline double testBurstSample(std::int64_t n) {
  constexpr std::int64_t kRate = TestBurst::kSampleRate;
  constexpr std::int64_t kPeriod = kRate * TestBurst::kPeriodMs / 1000;
  constexpr std::int64_t kLength = kRate * TestBurst::kLengthMs / 1000;
  if (n < 0) return 0.0;
  const std::int64_t index = n / kPeriod;
  const std::int64_t phase = n % kPeriod;
  const std::int64_t marker = kRate * testBurstMarkerMs(testBurstCode(index)) / 1000;
  std::int64_t in_tone = -1;
  if (phase < kLength) {
    in_tone = phase;
  } else if (phase >= marker && phase < marker + kLength) {
    in_tone = phase - marker;
  }
  if (in_tone < 0) return 0.0;
  return TestBurst::kAmplitude *
         std::sin(2.0 * std::numbers::pi * TestBurst::kFrequencyHz * static_cast<double>(in_tone) /
                  static_cast<double>(kRate));
}

// Writes `count` mono S16 samples from sample `first` on (the generator's buffer).
inline void writeTestBurst(std::int64_t first, std::int16_t* samples, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    samples[i] = static_cast<std::int16_t>(
        std::lround(testBurstSample(first + static_cast<std::int64_t>(i)) * 32767.0));
  }
}

}  // namespace framewire::media
