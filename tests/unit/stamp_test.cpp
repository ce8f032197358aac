// The latency stamp (core/latency_stamp): exact round trips, rejection of damaged or absent
// stamps, strides and chroma, and survival through JPEG, noise and blur.

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "core/latency_stamp.hpp"

namespace framewire::core {
namespace {

constexpr std::uint8_t kLumaOne = 235;
constexpr std::uint8_t kLumaZero = 16;

// An I420 picture with explicit (possibly padded) strides.
struct Picture {
  Picture(int w, int h, int y_pad = 0, int c_pad = 0)
      : width(w),
        height(h),
        y_stride(w + y_pad),
        c_stride((w + 1) / 2 + c_pad),
        y(static_cast<std::size_t>(y_stride) * h),
        u(static_cast<std::size_t>(c_stride) * ((h + 1) / 2)),
        v(static_cast<std::size_t>(c_stride) * ((h + 1) / 2)) {}

  // Busy, non-flat content so nothing passes just because the picture is blank.
  void fillTextured(std::uint32_t seed) {
    std::uint32_t state = seed * 2654435761u + 1;  // xorshift: cheap, deterministic
    for (int r = 0; r < height; ++r) {
      for (int c = 0; c < y_stride; ++c) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        const int base = (c * 3 + r * 5) % 200 + 28;
        const int jitter = static_cast<int>(state % 61) - 30;
        y[r * y_stride + c] = static_cast<std::uint8_t>(std::clamp(base + jitter, 0, 255));
      }
    }
    for (std::size_t i = 0; i < u.size(); ++i) {
      u[i] = static_cast<std::uint8_t>(40 + i % 170);
      v[i] = static_cast<std::uint8_t>(220 - i % 170);
    }
  }

  bool stamp(std::int64_t wall_us) {
    return writeLatencyStamp(y.data(), y_stride, width, height, wall_us, u.data(), c_stride,
                             v.data(), c_stride);
  }
  std::optional<std::uint64_t> read() const {
    return readLatencyStamp(y.data(), y_stride, width, height);
  }
  void fillBlock(int block, std::uint8_t value) {
    for (int r = 0; r < kStampBlockSize; ++r) {
      std::fill_n(y.data() + r * y_stride + block * kStampBlockSize, kStampBlockSize, value);
    }
  }

  int width, height, y_stride, c_stride;
  std::vector<std::uint8_t> y, u, v;
};

// Wall-clock times whose stamp value is `value` (T = value * 10 + sub, sub in [0, 10)).
std::int64_t timeForValue(std::uint64_t value, std::uint64_t wraps = 40, int sub = 0) {
  return static_cast<std::int64_t>((wraps * kStampModulus + value) * 10 + sub);
}

std::vector<std::int64_t> interestingTimes() {
  std::vector<std::int64_t> times = {
      0,
      9,
      10,
      1'700'000'000'000'000,  // 2023
      1'767'225'600'123'456,  // 2026
      timeForValue(0),
      timeForValue(1),
      timeForValue(kStampModulus - 1),
      timeForValue(kStampModulus - 2, 41, 9),
      timeForValue(kStampModulus / 2),
      timeForValue(kStampModulus / 2 - 1),
      timeForValue(0xAAAAAAAAAull),
      timeForValue(0x555555555ull),
  };
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<std::int64_t> dist(0, std::int64_t{4'000'000'000'000'000});
  for (int i = 0; i < 200; ++i) times.push_back(dist(rng));
  return times;
}

TEST(StampTest, ValueIsTimeOverTenModulo2To36) {
  EXPECT_EQ(stampValueFor(0), 0u);
  EXPECT_EQ(stampValueFor(9), 0u);
  EXPECT_EQ(stampValueFor(10), 1u);
  EXPECT_EQ(stampValueFor(timeForValue(kStampModulus - 1, 7, 9)), kStampModulus - 1);
  EXPECT_EQ(stampValueFor(timeForValue(kStampModulus - 1, 7, 9) + 1), 0u);
  const std::int64_t t = 1'767'225'600'123'456;
  EXPECT_EQ(stampValueFor(t), static_cast<std::uint64_t>(t / 10) % kStampModulus);
}

TEST(StampTest, RoundTripManyTimes) {
  Picture picture(1280, 40);
  for (std::int64_t t : interestingTimes()) {
    picture.fillTextured(static_cast<std::uint32_t>(t));
    ASSERT_TRUE(picture.stamp(t)) << t;
    const auto value = picture.read();
    ASSERT_TRUE(value.has_value()) << t;
    EXPECT_EQ(*value, stampValueFor(t)) << t;
    EXPECT_LT(*value, kStampModulus);
  }
}

TEST(StampTest, LayoutMatchesTheSpecification) {
  Picture picture(640, 16);
  picture.fillTextured(1);
  // V = 0b1010...: MSB first, so block 2 is 1 and block 3 is 0.
  const std::uint64_t value = 0xA5A5A5A5Aull;  // 36 bits, 18 ones -> parity 0
  ASSERT_TRUE(picture.stamp(timeForValue(value, 3, 4)));
  auto pixel = [&](int block, int x, int y) {
    return picture.y[y * picture.y_stride + block * kStampBlockSize + x];
  };
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      ASSERT_EQ(pixel(0, x, y), kLumaOne);
      ASSERT_EQ(pixel(1, x, y), kLumaZero);
      for (int i = 0; i < 36; ++i) {
        const bool bit = (value >> (35 - i)) & 1;
        ASSERT_EQ(pixel(2 + i, x, y), bit ? kLumaOne : kLumaZero) << "block " << 2 + i;
      }
      ASSERT_EQ(pixel(38, x, y), kLumaZero);  // XOR of 18 ones = 0
      ASSERT_EQ(pixel(39, x, y), kLumaOne);
    }
  }
}

TEST(StampTest, LatencyIsExactAndSurvivesTheWrap) {
  // Stamp just before the 2^36 wrap, read just after it.
  const std::int64_t stamped = timeForValue(kStampModulus - 5, 41);
  const std::int64_t now = stamped + 123'450;
  ASSERT_LT(stampValueFor(now), stampValueFor(stamped));  // the value wrapped
  EXPECT_EQ(stampLatencyMicros(stampValueFor(stamped), now), 123'450);

  EXPECT_EQ(stampLatencyMicros(stampValueFor(stamped), stamped), 0);
  EXPECT_EQ(stampLatencyMicros(stampValueFor(stamped), stamped + 10), 10);
  EXPECT_EQ(stampLatencyMicros(stampValueFor(stamped), stamped + 60), 60);
  // Exactly at the wrap: value 2^36 - 1 read at value 0.
  const std::int64_t last = timeForValue(kStampModulus - 1, 9);
  EXPECT_EQ(stampLatencyMicros(stampValueFor(last), last + 10), 10);
  // Across a real round trip through pixels.
  Picture picture(800, 600);
  picture.fillTextured(7);
  ASSERT_TRUE(picture.stamp(stamped));
  const auto value = picture.read();
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(stampLatencyMicros(*value, now), 123'450);
  // Sub-10 µs parts are floored on both ends.
  EXPECT_EQ(stampLatencyMicros(stampValueFor(stamped + 9), stamped + 33'339), 33'330);
}

TEST(StampTest, EveryCorruptedBlockIsRejected) {
  const std::int64_t t = 1'767'225'600'123'456;
  for (int block = 0; block < kStampBlocks; ++block) {
    Picture picture(1280, 40);
    picture.fillTextured(3);
    ASSERT_TRUE(picture.stamp(t));
    ASSERT_TRUE(picture.read().has_value());
    // Flip the block: a one becomes a zero and vice versa.
    const std::uint8_t old = picture.y[block * kStampBlockSize + 8 * picture.y_stride + 8];
    picture.fillBlock(block, old == kLumaOne ? kLumaZero : kLumaOne);
    EXPECT_FALSE(picture.read().has_value()) << "flipped block " << block;
  }
}

TEST(StampTest, WeakCalibrationIsRejected) {
  Picture picture(1280, 720);
  picture.fillTextured(4);
  ASSERT_TRUE(picture.stamp(123'456'789));
  // Calibration contrast must exceed 64: 100 vs 36 is not enough.
  picture.fillBlock(0, 100);
  picture.fillBlock(1, 36);
  EXPECT_FALSE(picture.read().has_value());
  picture.fillBlock(0, 140);  // 104 apart: accepted again (threshold 88 still separates bits)
  EXPECT_EQ(picture.read(), stampValueFor(123'456'789));
}

TEST(StampTest, AbsentStampIsRejected) {
  for (std::uint8_t level : {0, 16, 128, 235, 255}) {
    Picture picture(1280, 720);
    std::fill(picture.y.begin(), picture.y.end(), level);
    EXPECT_FALSE(picture.read().has_value()) << int(level);
  }
  Picture textured(1280, 720);
  textured.fillTextured(5);
  EXPECT_FALSE(textured.read().has_value());
}

TEST(StampTest, TooNarrowOrTooShortIsRefusedAndUntouched) {
  for (auto [w, h] :
       {std::pair{639, 480}, std::pair{320, 240}, std::pair{1280, 15}, std::pair{0, 0}}) {
    Picture picture(std::max(w, 1), std::max(h, 1));
    picture.width = w;
    picture.height = h;
    picture.fillTextured(6);
    const auto before_y = picture.y;
    const auto before_u = picture.u;
    EXPECT_FALSE(picture.stamp(1'000'000)) << w << "x" << h;
    EXPECT_EQ(picture.y, before_y) << w << "x" << h;
    EXPECT_EQ(picture.u, before_u) << w << "x" << h;
    EXPECT_FALSE(picture.read().has_value()) << w << "x" << h;
  }
  // A stamp written at 640 wide cannot be read by a reader told the picture is narrower.
  Picture picture(640, 32);
  ASSERT_TRUE(picture.stamp(1'000'000));
  ASSERT_TRUE(picture.read().has_value());
  EXPECT_FALSE(readLatencyStamp(picture.y.data(), picture.y_stride, 639, 32).has_value());
  EXPECT_FALSE(readLatencyStamp(nullptr, 640, 640, 32).has_value());
  EXPECT_FALSE(writeLatencyStamp(nullptr, 640, 640, 32, 1'000'000));
}

TEST(StampTest, PaddedStridesWriteOnlyTheBand) {
  // Luma stride 704 (padding 64) and an odd one; chroma padded too.
  for (int pad : {64, 7, 1}) {
    Picture picture(640, 48, pad, pad + 3);
    picture.fillTextured(8);
    const auto before_y = picture.y;
    const auto before_u = picture.u;
    const auto before_v = picture.v;
    ASSERT_TRUE(picture.stamp(987'654'321'000));
    EXPECT_EQ(picture.read(), stampValueFor(987'654'321'000)) << pad;
    for (int r = 0; r < picture.height; ++r) {
      for (int c = 0; c < picture.y_stride; ++c) {
        const std::size_t i = static_cast<std::size_t>(r) * picture.y_stride + c;
        if (r < 16 && c < 640) continue;  // the band
        ASSERT_EQ(picture.y[i], before_y[i]) << "pad " << pad << " r " << r << " c " << c;
      }
    }
    // Chroma: the 8 rows x 320 columns under the band are 128, the rest untouched.
    for (int r = 0; r < picture.height / 2; ++r) {
      for (int c = 0; c < picture.c_stride; ++c) {
        const std::size_t i = static_cast<std::size_t>(r) * picture.c_stride + c;
        if (r < 8 && c < 320) {
          ASSERT_EQ(picture.u[i], 128) << r << "," << c;
          ASSERT_EQ(picture.v[i], 128) << r << "," << c;
        } else {
          ASSERT_EQ(picture.u[i], before_u[i]) << r << "," << c;
          ASSERT_EQ(picture.v[i], before_v[i]) << r << "," << c;
        }
      }
    }
  }
}

TEST(StampTest, WideStrideReadsBack) {
  Picture picture(1920, 1080, 128, 64);
  picture.fillTextured(9);
  for (std::int64_t t :
       {std::int64_t{5}, std::int64_t{1'767'225'600'000'000}, timeForValue(kStampModulus - 1)}) {
    ASSERT_TRUE(picture.stamp(t));
    EXPECT_EQ(picture.read(), stampValueFor(t));
  }
}

TEST(StampTest, LumaOnlyWriteLeavesNoChromaRequirement) {
  std::vector<std::uint8_t> luma(640 * 16, 77);
  ASSERT_TRUE(writeLatencyStamp(luma.data(), 640, 640, 16, 42'000'000));
  EXPECT_EQ(readLatencyStamp(luma.data(), 640, 640, 16), stampValueFor(42'000'000));
}

// ±20 luma of noise on top of a blur (the kind a scaler or a soft camera adds), and the
// limited→full range expansion a player may apply.
TEST(StampTest, SurvivesNoiseBlurAndRangeExpansion) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> noise(-20, 20);
  const auto times = interestingTimes();
  for (std::size_t k = 0; k < times.size(); k += 4) {
    const std::int64_t t = times[k];
    Picture picture(672, 32);
    picture.fillTextured(static_cast<std::uint32_t>(t >> 3));
    ASSERT_TRUE(picture.stamp(t));
    // Three passes of a 5x5 box blur: reach 6 pixels, so neighbouring blocks bleed into the
    // central 8x8 the reader averages.
    for (int pass = 0; pass < 3; ++pass) {
      const auto src = picture.y;
      for (int r = 0; r < picture.height; ++r) {
        for (int c = 0; c < picture.width; ++c) {
          int sum = 0, n = 0;
          for (int dr = -2; dr <= 2; ++dr) {
            for (int dc = -2; dc <= 2; ++dc) {
              const int rr = r + dr, cc = c + dc;
              if (rr < 0 || rr >= picture.height || cc < 0 || cc >= picture.width) continue;
              sum += src[rr * picture.y_stride + cc];
              ++n;
            }
          }
          picture.y[r * picture.y_stride + c] = static_cast<std::uint8_t>(sum / n);
        }
      }
    }
    for (auto& p : picture.y) p = static_cast<std::uint8_t>(std::clamp(p + noise(rng), 0, 255));
    ASSERT_EQ(picture.read(), stampValueFor(t)) << "blur+noise, t=" << t;
    for (auto& p : picture.y) {
      p = static_cast<std::uint8_t>(std::clamp((p - 16) * 255 / 219, 0, 255));
    }
    ASSERT_EQ(picture.read(), stampValueFor(t)) << "range expansion, t=" << t;
  }
}

// ---- JPEG (libturbojpeg) ----

struct TjDeleter {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

struct TjBuffer {
  unsigned char* data = nullptr;
  unsigned long size = 0;
  ~TjBuffer() { tjFree(data); }
};

// I420 → JPEG (4:2:0) → I420, the MJPEG/snapshot path.
Picture jpegRoundTripI420(const Picture& in, int quality) {
  TjHandle compressor(tjInitCompress());
  TjHandle decompressor(tjInitDecompress());
  EXPECT_TRUE(compressor && decompressor);
  const unsigned char* planes[3] = {in.y.data(), in.u.data(), in.v.data()};
  const int strides[3] = {in.y_stride, in.c_stride, in.c_stride};
  TjBuffer jpeg;
  EXPECT_EQ(tjCompressFromYUVPlanes(compressor.get(), planes, in.width, strides, in.height,
                                    TJSAMP_420, &jpeg.data, &jpeg.size, quality, 0),
            0)
      << tjGetErrorStr2(compressor.get());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  EXPECT_EQ(
      tjDecompressHeader3(decompressor.get(), jpeg.data, jpeg.size, &w, &h, &subsamp, &colorspace),
      0);
  EXPECT_EQ(w, in.width);
  EXPECT_EQ(h, in.height);
  EXPECT_EQ(subsamp, TJSAMP_420);
  Picture out(in.width, in.height, 32, 16);  // a different stride than the input
  unsigned char* dst[3] = {out.y.data(), out.u.data(), out.v.data()};
  int dst_strides[3] = {out.y_stride, out.c_stride, out.c_stride};
  EXPECT_EQ(tjDecompressToYUVPlanes(decompressor.get(), jpeg.data, jpeg.size, dst, out.width,
                                    dst_strides, out.height, 0),
            0)
      << tjGetErrorStr2(decompressor.get());
  return out;
}

// Grayscale luma → JPEG → luma.
std::vector<std::uint8_t> jpegRoundTripGray(const std::vector<std::uint8_t>& luma, int width,
                                            int height, int quality) {
  TjHandle compressor(tjInitCompress());
  TjHandle decompressor(tjInitDecompress());
  TjBuffer jpeg;
  EXPECT_EQ(tjCompress2(compressor.get(), luma.data(), width, width, height, TJPF_GRAY, &jpeg.data,
                        &jpeg.size, TJSAMP_GRAY, quality, 0),
            0)
      << tjGetErrorStr2(compressor.get());
  std::vector<std::uint8_t> out(luma.size(), 0);
  EXPECT_EQ(tjDecompress2(decompressor.get(), jpeg.data, jpeg.size, out.data(), width, width,
                          height, TJPF_GRAY, 0),
            0)
      << tjGetErrorStr2(decompressor.get());
  return out;
}

class StampJpegTest : public ::testing::TestWithParam<int> {};

TEST_P(StampJpegTest, I420RoundTripReadsTheSameValue) {
  const int quality = GetParam();
  int checked = 0;
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{640, 480}, std::pair{658, 36}}) {
    for (std::int64_t t : {std::int64_t{1'767'225'600'123'456}, timeForValue(kStampModulus - 1),
                           timeForValue(0x555555555ull), timeForValue(0xAAAAAAAAAull)}) {
      Picture picture(w, h, 16, 8);
      picture.fillTextured(static_cast<std::uint32_t>(t ^ w));
      ASSERT_TRUE(picture.stamp(t));
      const Picture decoded = jpegRoundTripI420(picture, quality);
      // The decoded picture really is lossy (the texture below the band changed).
      int changed = 0;
      for (int r = 16; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
          changed += decoded.y[r * decoded.y_stride + c] != picture.y[r * picture.y_stride + c];
        }
      }
      EXPECT_GT(changed, 0);
      EXPECT_EQ(decoded.read(), stampValueFor(t)) << w << "x" << h << " q" << quality << " t=" << t;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12);
}

TEST_P(StampJpegTest, GrayscaleRoundTripReadsTheSameValue) {
  const int quality = GetParam();
  const int width = 1280, height = 720;
  std::mt19937 rng(quality);
  std::uniform_int_distribution<int> pixel(0, 255);
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1'767'225'600'123'456},
                         timeForValue(kStampModulus - 1), timeForValue(0x555555555ull),
                         timeForValue(0xAAAAAAAAAull), timeForValue(0xFFFFFFFFEull, 3, 9)}) {
    std::vector<std::uint8_t> luma(static_cast<std::size_t>(width) * height);
    for (auto& p : luma) p = static_cast<std::uint8_t>(pixel(rng));  // worst case: pure noise
    ASSERT_TRUE(writeLatencyStamp(luma.data(), width, width, height, t));
    const auto decoded = jpegRoundTripGray(luma, width, height, quality);
    ASSERT_NE(decoded, luma);  // JPEG really was lossy here
    ASSERT_EQ(readLatencyStamp(decoded.data(), width, width, height), stampValueFor(t))
        << "q" << quality << " t=" << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Quality, StampJpegTest, ::testing::Values(50, 80),
                         [](const auto& info) { return "q" + std::to_string(info.param); });

}  // namespace
}  // namespace framewire::core
