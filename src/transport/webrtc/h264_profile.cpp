#include "transport/webrtc/h264_profile.hpp"

#include <cstdio>

namespace framewire::transport::webrtc {
namespace {

constexpr std::uint8_t kConstraintSet0 = 0x80;
constexpr std::uint8_t kConstraintSet1 = 0x40;
constexpr std::uint8_t kConstraintSet4 = 0x08;
constexpr std::uint8_t kConstraintSet5 = 0x04;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Rank in the chain CB ⊂ Main ⊂ High ⊂ High10 ⊂ High422 ⊂ High444 (each decodes the ones
// before it); Baseline and Extended sit beside the chain.
int chainRank(H264Profile p) {
  switch (p) {
    case H264Profile::kConstrainedBaseline:
      return 0;
    case H264Profile::kMain:
      return 1;
    case H264Profile::kConstrainedHigh:
      return 2;
    case H264Profile::kHigh:
      return 3;
    case H264Profile::kHigh10:
      return 4;
    case H264Profile::kHigh422:
      return 5;
    case H264Profile::kHigh444:
      return 6;
    default:
      return -1;
  }
}

}  // namespace

H264Profile ProfileLevelId::profile() const {
  // RFC 6184 table 5 and the WebRTC rules for constrained high.
  switch (profile_idc) {
    case 0x42:
      return (profile_iop & kConstraintSet1) ? H264Profile::kConstrainedBaseline
                                             : H264Profile::kBaseline;
    case 0x4d:
      return (profile_iop & kConstraintSet0) ? H264Profile::kConstrainedBaseline
                                             : H264Profile::kMain;
    case 0x58:
      if ((profile_iop & (kConstraintSet0 | kConstraintSet1)) ==
          (kConstraintSet0 | kConstraintSet1)) {
        return H264Profile::kConstrainedBaseline;
      }
      return (profile_iop & kConstraintSet0) ? H264Profile::kBaseline : H264Profile::kExtended;
    case 0x64:
      if ((profile_iop & (kConstraintSet4 | kConstraintSet5)) ==
          (kConstraintSet4 | kConstraintSet5)) {
        return H264Profile::kConstrainedHigh;
      }
      return H264Profile::kHigh;
    case 0x6e:
      return H264Profile::kHigh10;
    case 0x7a:
      return H264Profile::kHigh422;
    case 0xf4:
      return H264Profile::kHigh444;
    default:
      return H264Profile::kUnknown;
  }
}

std::string ProfileLevelId::hex() const {
  char buf[7];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x", profile_idc, profile_iop, level_idc);
  return buf;
}

std::optional<ProfileLevelId> parseProfileLevelId(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  std::uint8_t bytes[3];
  for (int i = 0; i < 3; ++i) {
    const int hi = hexDigit(hex[2 * i]);
    const int lo = hexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return ProfileLevelId{bytes[0], bytes[1], bytes[2]};
}

std::string_view profileName(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline:
      return "constrained-baseline";
    case H264Profile::kBaseline:
      return "baseline";
    case H264Profile::kMain:
      return "main";
    case H264Profile::kExtended:
      return "extended";
    case H264Profile::kHigh:
      return "high";
    case H264Profile::kHigh10:
      return "high-10";
    case H264Profile::kHigh422:
      return "high-4:2:2";
    case H264Profile::kHigh444:
      return "high-4:4:4";
    case H264Profile::kConstrainedHigh:
      return "constrained-high";
    case H264Profile::kUnknown:
      break;
  }
  return "unknown";
}

bool canDecode(H264Profile receiver, H264Profile stream) {
  if (receiver == stream) return true;
  if (stream == H264Profile::kConstrainedBaseline) {
    // CB is a common subset of Baseline, Extended and the Main/High chain.
    return receiver != H264Profile::kUnknown;
  }
  if (stream == H264Profile::kBaseline) return receiver == H264Profile::kExtended;
  const int r = chainRank(receiver);
  const int s = chainRank(stream);
  return r >= 0 && s >= 0 && r >= s;
}

}  // namespace framewire::transport::webrtc
