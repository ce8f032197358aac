#pragma once
// The WebCodecs codec string of a stream (what a Direct hello announces): "avc1.PPCCLL" from
// an H.264 SPS, and for the other codecs a string derived from the stream's profile (always 0
// / main here: framewire's encoders run 8-bit 4:2:0) and a level that covers its size and rate.

#include <optional>
#include <string>

#include "core/encoded_frame.hpp"

namespace framewire::core {

// Codecs:: H.264 needs the access unit (its SPS); the others only the shape. nullopt: an H.264
// keyframe without an SPS (keep the previous string), or JPEG.
std::optional<std::string> webCodecsString(Codec codec, std::span<const std::uint8_t> access_unit,
                                           int width, int height, int fps);

// Codec from its config name ("h264", "vp8", ...); nullopt when unknown.
std::optional<Codec> codecFromName(std::string_view name);

}  // namespace framewire::core
