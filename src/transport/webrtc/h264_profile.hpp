#pragma once
// H.264 profile-level-id (RFC 6184 §8.1): which profile a stream is, which profiles a receiver
// can decode, and the decision whether a receiver can take framewire's stream.
// Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace framewire::transport::webrtc {

enum class H264Profile {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kExtended,
  kHigh,
  kHigh10,
  kHigh422,
  kHigh444,
  kConstrainedHigh,
  kUnknown,
};

struct ProfileLevelId {
  std::uint8_t profile_idc = 0x42;
  std::uint8_t profile_iop = 0xe0;  // constraint_set flags
  std::uint8_t level_idc = 0x1f;

  H264Profile profile() const;
  std::string hex() const;  // "42e01f"
};

// "42e01f" → fields; nothing when it is not six hex digits.
std::optional<ProfileLevelId> parseProfileLevelId(std::string_view hex);

std::string_view profileName(H264Profile profile);

// True when a decoder for `receiver` can decode a stream of `stream` (the stream's profile is
// a subset of the receiver's). Constrained baseline is decodable by every profile but Extended
// (Extended lacks nothing CB needs either, so it is accepted too).
bool canDecode(H264Profile receiver, H264Profile stream);

}  // namespace framewire::transport::webrtc
