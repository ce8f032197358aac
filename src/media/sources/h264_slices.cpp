#include "media/sources/h264_slices.hpp"

#include <vector>

#include "core/h264_info.hpp"

namespace framewire::media {
namespace {

// Exp-Golomb reader over a NAL payload with emulation prevention bytes removed.
class BitReader {
 public:
  explicit BitReader(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

  std::optional<unsigned> bit() {
    if (pos_ >= bytes_.size() * 8) return std::nullopt;
    const unsigned b = (bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1u;
    ++pos_;
    return b;
  }

  std::optional<unsigned> ue() {
    int zeros = 0;
    for (;;) {
      auto b = bit();
      if (!b) return std::nullopt;
      if (*b == 1) break;
      if (++zeros > 31) return std::nullopt;
    }
    unsigned value = 0;
    for (int i = 0; i < zeros; ++i) {
      auto b = bit();
      if (!b) return std::nullopt;
      value = (value << 1) | *b;
    }
    return (1u << zeros) - 1 + value;
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::vector<std::uint8_t> unescape(std::span<const std::uint8_t> payload, std::size_t limit) {
  std::vector<std::uint8_t> out;
  int zeros = 0;
  for (std::size_t i = 0; i < payload.size() && out.size() < limit; ++i) {
    if (zeros >= 2 && payload[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = payload[i] == 0 ? zeros + 1 : 0;
    out.push_back(payload[i]);
  }
  return out;
}

}  // namespace

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
