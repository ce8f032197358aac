#pragma once
// Facts read from H.264 Annex-B access units without a decoder: which NAL units they hold and
// the codec string ("avc1.PPCCLL") WebCodecs needs, taken from the stream's real SPS.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace framewire::core {

struct NalUnit {
  int type = 0;                          // nal_unit_type (5 = IDR, 7 = SPS, 8 = PPS)
  std::span<const std::uint8_t> bytes;   // from the NAL header, start code excluded
};

// Splits an Annex-B buffer at its 3- and 4-byte start codes.
std::vector<NalUnit> splitAnnexB(std::span<const std::uint8_t> data);

// True when the access unit holds an IDR slice.
bool containsIdr(std::span<const std::uint8_t> access_unit);

// "avc1.PPCCLL" from the first SPS in the access unit (profile_idc, constraint flags,
// level_idc in hex), or nothing when it holds no SPS.
std::optional<std::string> h264CodecString(std::span<const std::uint8_t> access_unit);

}  // namespace framewire::core
