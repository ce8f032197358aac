#include "core/latency_stamp.hpp"

#include <cstring>

namespace framewire::core {
namespace {
constexpr std::uint8_t kOne = 235;
constexpr std::uint8_t kZero = 16;
constexpr int kValueBits = 36;

void fillBlock(std::uint8_t* luma, int stride, int block, bool bit) {
  const std::uint8_t value = bit ? kOne : kZero;
  for (int y = 0; y < kStampBlockSize; ++y) {
    std::memset(luma + y * stride + block * kStampBlockSize, value, kStampBlockSize);
  }
}

// Mean of the central 8x8 pixels: robust against codec ringing at block edges.
int blockMean(const std::uint8_t* luma, int stride, int block) {
  int sum = 0;
  const int x0 = block * kStampBlockSize + 4;
  for (int y = 4; y < 12; ++y) {
    const std::uint8_t* row = luma + y * stride + x0;
    for (int x = 0; x < 8; ++x) sum += row[x];
  }
  return sum / 64;
}
}  // namespace

std::uint64_t stampValueFor(std::int64_t wall_us) {
  return static_cast<std::uint64_t>(wall_us / 10) % kStampModulus;
}

bool writeLatencyStamp(std::uint8_t* luma, int luma_stride, int width, int height,
                       std::int64_t wall_us, std::uint8_t* u, int u_stride, std::uint8_t* v,
                       int v_stride) {
  if (width < kStampMinWidth || height < kStampBlockSize || luma == nullptr) return false;
  const std::uint64_t value = stampValueFor(wall_us);
  fillBlock(luma, luma_stride, 0, true);
  fillBlock(luma, luma_stride, 1, false);
  bool parity = false;
  for (int i = 0; i < kValueBits; ++i) {
    const bool bit = (value >> (kValueBits - 1 - i)) & 1;
    parity ^= bit;
    fillBlock(luma, luma_stride, 2 + i, bit);
  }
  fillBlock(luma, luma_stride, 38, parity);
  fillBlock(luma, luma_stride, 39, !parity);
  // 4:2:0 chroma: the band is 8 rows of half width.
  const int chroma_width = kStampMinWidth / 2;
  for (int y = 0; y < kStampBlockSize / 2; ++y) {
    if (u != nullptr) std::memset(u + y * u_stride, 128, chroma_width);
    if (v != nullptr) std::memset(v + y * v_stride, 128, chroma_width);
  }
  return true;
}

std::optional<std::uint64_t> readLatencyStamp(const std::uint8_t* luma, int luma_stride,
                                              int width, int height) {
  if (width < kStampMinWidth || height < kStampBlockSize || luma == nullptr) return std::nullopt;
  const int mean1 = blockMean(luma, luma_stride, 0);
  const int mean0 = blockMean(luma, luma_stride, 1);
  if (mean1 <= mean0 + 64) return std::nullopt;
  const int threshold = (mean0 + mean1) / 2;
  auto bitAt = [&](int block) { return blockMean(luma, luma_stride, block) > threshold; };
  std::uint64_t value = 0;
  bool parity = false;
  for (int i = 0; i < kValueBits; ++i) {
    const bool bit = bitAt(2 + i);
    parity ^= bit;
    value = (value << 1) | (bit ? 1u : 0u);
  }
  if (bitAt(38) != parity || bitAt(39) == parity) return std::nullopt;
  return value;
}

std::int64_t stampLatencyMicros(std::uint64_t stamp_value, std::int64_t now_wall_us) {
  const std::uint64_t now_value = stampValueFor(now_wall_us);
  const std::uint64_t diff = (now_value + kStampModulus - stamp_value) % kStampModulus;
  return static_cast<std::int64_t>(diff) * 10;
}

}  // namespace framewire::core
