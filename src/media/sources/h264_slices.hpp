#pragma once
// Reads slice types out of H.264 Annex-B access units without a decoder, to notice streams
// with B-frames (browsers and WebCodecs stutter on them; framewire's own encoder never
// makes any). No GStreamer here.

#include <cstdint>
#include <optional>
#include <span>

namespace framewire::media {

// slice_type (0..9) of the first slice in the access unit, or nothing when it has none.
std::optional<int> firstSliceType(std::span<const std::uint8_t> access_unit);

// True when the access unit holds a B slice (slice_type 1 or 6).
bool hasBSlice(std::span<const std::uint8_t> access_unit);

}  // namespace framewire::media
