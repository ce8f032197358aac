#pragma once
// SampleTimeline: timestamps for a capture whose buffers carry no duration (pipewiresrc), so
// that CaptureOffset can map them onto the wall clock as it does PulseAudio's and ALSA's.
// pipewiresrc gives a buffer neither a duration nor (without do-timestamp) a PTS; with
// do-timestamp its PTS is when the buffer reached GStreamer, which jitters with scheduling and
// says nothing of the samples. Each buffer is restamped instead: its duration from its sample
// count, its PTS where the previous buffer ended (sample-exact), from the first buffer's
// arrival. Samples PipeWire dropped (an xrun, a suspended node) would leave the count behind
// the sound: a buffer that arrives more than kResyncNs after its restamped end starts the
// timeline again from its own arrival.
// Pure (no GStreamer), header-only. Threads: the capture's streaming thread only.

#include <cstdint>
#include <optional>
#include <string_view>

namespace framewire::media {

// Bytes per sample of a raw audio format name as in GStreamer caps ("S16LE", "F32LE",
// "S24_32LE", "U8"...); 0 for an unknown name.
inline int audioBytesPerSample(std::string_view format) {
  if (format.find("_32") != std::string_view::npos) return 4;  // 24 or 20 bits in 32
  int bits = 0;
  for (char c : format) {
    if (c >= '0' && c <= '9') bits = bits * 10 + (c - '0');
  }
  if (format.empty() || (format[0] != 'S' && format[0] != 'U' && format[0] != 'F')) return 0;
  return bits > 0 && bits <= 64 ? (bits + 7) / 8 : 0;
}

class SampleTimeline {
 public:
  static constexpr std::int64_t kResyncNs = 200'000'000;

  struct Stamp {
    std::int64_t pts_ns = 0;
    std::int64_t duration_ns = 0;
  };

  // A buffer of `frames` samples per channel at `rate`; `arrival_ns` its own PTS (the running
  // time it arrived at, from do-timestamp), or nullopt.
  Stamp next(std::int64_t frames, int rate, std::optional<std::int64_t> arrival_ns) {
    Stamp s;
    s.duration_ns = framesToNs(frames, rate);
    if (!origin_ns_ || rate != rate_) start(arrival_ns, s.duration_ns, rate);
    s.pts_ns = ptsOf(frames_);
    if (arrival_ns && *arrival_ns - (s.pts_ns + s.duration_ns) > kResyncNs) {
      start(arrival_ns, s.duration_ns, rate);
      s.pts_ns = *origin_ns_;
    }
    frames_ += frames;
    return s;
  }

  void reset() {
    origin_ns_.reset();
    frames_ = 0;
  }

 private:
  void start(std::optional<std::int64_t> arrival_ns, std::int64_t duration_ns, int rate) {
    // The buffer's first sample was captured a duration before the buffer could leave.
    origin_ns_ = arrival_ns ? (*arrival_ns > duration_ns ? *arrival_ns - duration_ns : 0) : 0;
    frames_ = 0;
    rate_ = rate;
  }

  // Whole seconds apart, so a capture that runs for weeks does not overflow.
  static std::int64_t framesToNs(std::int64_t frames, int rate) {
    if (rate <= 0) return 0;
    return frames / rate * 1'000'000'000 + frames % rate * 1'000'000'000 / rate;
  }

  std::int64_t ptsOf(std::int64_t frames) const { return *origin_ns_ + framesToNs(frames, rate_); }

  std::optional<std::int64_t> origin_ns_;
  std::int64_t frames_ = 0;
  int rate_ = 0;
};

}  // namespace framewire::media
