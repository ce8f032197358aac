#pragma once
// CaptureOffset: when a capture device's sound was captured, on the wall clock, from when its
// raw buffers come out of the capture elements. Pure (no GStreamer), header-only.
//
// A device source's buffer timestamps (PTS) count its samples exactly, but their origin is the
// device clock's (PulseAudio's stream clock, ALSA's): what the pipeline clock says about them
// is not when the sound was captured. PulseAudio's record-stream clock jumps with the server's
// timing updates and ran 50-330 ms ahead of the samples under load (bench/audio_pulse.mjs:
// capture → sent 281 ms while the sound reached the client 11 ms after a parec on the same
// monitor). So the mapping is measured instead: a buffer cannot come out before its last
// sample was captured, so `now − (PTS + duration)` is an upper bound of the wall time of PTS 0;
// the smallest bound over the last `window` (two half-window buckets, so it follows drift)
// takes the delivery's scheduling delays out. Capture time of a sample = its PTS + offset().
// What the device buffered before framewire got the data (a sound card's own few ms) is not
// seen and not counted.
//
// Threads: one writer (the capture's streaming thread); callers publish offset() themselves.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

namespace framewire::media {

class CaptureOffset {
 public:
  explicit CaptureOffset(std::int64_t window_us = 2'000'000) : half_window_us_(window_us / 2) {}

  // A raw buffer covering [pts_us, pts_us + duration_us) of the stream came out at now_us.
  void observe(std::int64_t pts_us, std::int64_t duration_us, std::int64_t now_us) {
    const std::int64_t end_us = pts_us + duration_us;
    // The timeline restarted (backwards, or a jump of more than a second): start over.
    if (last_end_us_ && (pts_us < *last_end_us_ - 1'000 || pts_us > *last_end_us_ + 1'000'000)) {
      reset();
    }
    last_end_us_ = end_us;
    if (current_min_ == kNone || now_us - bucket_start_us_ >= half_window_us_) {
      previous_min_ = current_min_;
      current_min_ = kNone;
      bucket_start_us_ = now_us;
    }
    current_min_ = std::min(current_min_, now_us - end_us);
  }

  void reset() {
    previous_min_ = current_min_ = kNone;
    last_end_us_.reset();
  }

  // The wall time (µs) of PTS 0; nothing before the first buffer.
  std::optional<std::int64_t> offset() const {
    const std::int64_t best = std::min(previous_min_, current_min_);
    if (best == kNone) return std::nullopt;
    return best;
  }

 private:
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  const std::int64_t half_window_us_;
  std::int64_t bucket_start_us_ = 0;
  std::int64_t current_min_ = kNone;
  std::int64_t previous_min_ = kNone;
  std::optional<std::int64_t> last_end_us_;
};

}  // namespace framewire::media
