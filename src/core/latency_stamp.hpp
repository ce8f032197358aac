#pragma once
// The latency stamp: the capture wall-clock time written into the luma plane as 40 blocks of
// 16x16 pixels in the top band, so any client can measure glass-to-glass latency from pixels
// alone. Layout (see docs/protocol.md): block 0 = 1 and block 1 = 0 (calibration), blocks
// 2..37 = V = floor(T/10) mod 2^36 MSB first, block 38 = XOR of V's bits, block 39 = NOT 38.

#include <cstdint>
#include <optional>

namespace framewire::core {

inline constexpr int kStampBlockSize = 16;
inline constexpr int kStampBlocks = 40;
inline constexpr int kStampMinWidth = kStampBlockSize * kStampBlocks;  // 640
inline constexpr std::uint64_t kStampModulus = std::uint64_t{1} << 36;

// The 36-bit value carried for a wall-clock time in µs.
std::uint64_t stampValueFor(std::int64_t wall_us);

// Writes the stamp into an 8-bit luma plane (and sets the chroma under the band to 128 when
// chroma planes are given, 4:2:0 layout). Returns false, writing nothing, when the picture is
// narrower than 640 or shorter than 16 pixels.
bool writeLatencyStamp(std::uint8_t* luma, int luma_stride, int width, int height,
                       std::int64_t wall_us, std::uint8_t* u = nullptr, int u_stride = 0,
                       std::uint8_t* v = nullptr, int v_stride = 0);

// Reads the 36-bit value from a luma plane, or nothing when the stamp is absent or damaged.
std::optional<std::uint64_t> readLatencyStamp(const std::uint8_t* luma, int luma_stride,
                                              int width, int height);

// Latency in µs between a stamp value and a wall-clock time (handles the 2^36 wrap).
std::int64_t stampLatencyMicros(std::uint64_t stamp_value, std::int64_t now_wall_us);

}  // namespace framewire::core
