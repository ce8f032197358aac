#pragma once
// How old a picture is, from the wall-clock times it carries (internal to mjpeg/).

#include <cstdint>

#include "core/clock.hpp"
#include "core/encoded_frame.hpp"

namespace framewire::transport::mjpeg {

// The frame's capture time, else its encode time; 0 when it carries neither.
inline std::int64_t frameTimeMicros(const core::EncodedFrame& frame) {
  return frame.capture_us > 0 ? frame.capture_us : frame.encoded_us;
}

// True when the frame carries a time within `max_age_us` of now.
inline bool isFresh(const core::EncodedFrame& frame, std::int64_t max_age_us) {
  const std::int64_t time = frameTimeMicros(frame);
  return time > 0 && core::wallClockMicros() - time <= max_age_us;
}

}  // namespace framewire::transport::mjpeg
