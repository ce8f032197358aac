#include "media/sources/h264_slices.hpp"

#include "core/h264_info.hpp"
#include "media/sources/h264_bits.hpp"

namespace framewire::media {
using h264bits::BitReader;
using h264bits::unescape;

std::optional<int> firstSliceType(std::span<const std::uint8_t> access_unit) {
  for (const auto& nal : core::splitAnnexB(access_unit)) {
    if ((nal.type != 1 && nal.type != 5) || nal.bytes.size() < 2) continue;
    // The header byte, then first_mb_in_slice and slice_type: a few bytes are plenty.
    BitReader reader(unescape(nal.bytes.subspan(1), 16));
    if (!reader.ue()) return std::nullopt;
    auto type = reader.ue();
    if (!type || *type > 9) return std::nullopt;
    return static_cast<int>(*type);
  }
  return std::nullopt;
}

bool hasBSlice(std::span<const std::uint8_t> access_unit) {
  const auto type = firstSliceType(access_unit);
  return type && (*type % 5) == 1;
}

}  // namespace framewire::media
