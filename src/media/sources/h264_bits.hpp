#pragma once
// Bit-level reading of H.264 NAL payloads (Exp-Golomb codes, emulation prevention removed),
// shared by the slice-type and SPS readers. No GStreamer here.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace framewire::media::h264bits {

// The payload with its emulation prevention bytes (00 00 03) removed, at most `limit` bytes.
inline std::vector<std::uint8_t> unescape(std::span<const std::uint8_t> payload,
                                          std::size_t limit) {
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

// Reads bits and Exp-Golomb codes; every read says "nothing" past the end.
class BitReader {
 public:
  explicit BitReader(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

  std::optional<unsigned> bit() {
    if (pos_ >= bytes_.size() * 8) return std::nullopt;
    const unsigned b = (bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1u;
    ++pos_;
    return b;
  }

  std::optional<unsigned> bits(int n) {
    unsigned value = 0;
    for (int i = 0; i < n; ++i) {
      auto b = bit();
      if (!b) return std::nullopt;
      value = (value << 1) | *b;
    }
    return value;
  }

  std::optional<unsigned> ue() {
    int zeros = 0;
    for (;;) {
      auto b = bit();
      if (!b) return std::nullopt;
      if (*b == 1) break;
      if (++zeros > 31) return std::nullopt;
    }
    auto rest = bits(zeros);
    if (!rest) return std::nullopt;
    return static_cast<unsigned>((std::uint64_t{1} << zeros) - 1 + *rest);
  }

  std::optional<int> se() {
    auto v = ue();
    if (!v) return std::nullopt;
    const auto k = static_cast<std::int64_t>(*v);
    return static_cast<int>(k % 2 == 1 ? (k + 1) / 2 : -(k / 2));
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace framewire::media::h264bits
