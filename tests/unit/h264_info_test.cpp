// H.264 Annex-B facts (core/h264_info): NAL splitting, IDR detection, the WebCodecs codec string.

#include "core/h264_info.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace framewire::core {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kStart4 = {0, 0, 0, 1};
const Bytes kStart3 = {0, 0, 1};
// A constrained-baseline level 3.1 SPS as x264 writes it (payload shortened), a PPS, an IDR
// slice and a non-IDR slice.
const Bytes kSps = {0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04, 0x40};
const Bytes kPps = {0x68, 0xCE, 0x0F, 0x2C, 0x80};
const Bytes kIdr = {0x65, 0x88, 0x84, 0x00, 0x33, 0xFF};
const Bytes kSlice = {0x41, 0x9A, 0x02, 0x04, 0x81};
const Bytes kSei = {0x06, 0x05, 0x10, 0xB9, 0xED, 0x80};

Bytes bytesOf(const NalUnit& unit) { return Bytes(unit.bytes.begin(), unit.bytes.end()); }

TEST(H264InfoTest, SplitsFourByteStartCodes) {
  const Bytes au = cat({kStart4, kSps, kStart4, kPps, kStart4, kIdr});
  const auto units = splitAnnexB(au);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0].type, 7);
  EXPECT_EQ(units[1].type, 8);
  EXPECT_EQ(units[2].type, 5);
  EXPECT_EQ(bytesOf(units[0]), kSps);
  EXPECT_EQ(bytesOf(units[1]), kPps);
  EXPECT_EQ(bytesOf(units[2]), kIdr);
  // The spans point into the input (no copies).
  EXPECT_EQ(units[0].bytes.data(), au.data() + 4);
}

TEST(H264InfoTest, SplitsThreeByteAndMixedStartCodes) {
  const Bytes au = cat({kStart3, kSei, kStart4, kSps, kStart3, kPps, kStart3, kIdr});
  const auto units = splitAnnexB(au);
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[0].type, 6);
  EXPECT_EQ(bytesOf(units[0]), kSei);  // the 4-byte code's leading zero is not SEI payload
  EXPECT_EQ(bytesOf(units[1]), kSps);
  EXPECT_EQ(bytesOf(units[2]), kPps);
  EXPECT_EQ(bytesOf(units[3]), kIdr);
}

TEST(H264InfoTest, TrailingZerosAreNotPartOfTheLastUnit) {
  const Bytes au = cat({kStart4, kSlice, Bytes{0, 0, 0, 0}});
  const auto units = splitAnnexB(au);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].type, 1);
  EXPECT_EQ(bytesOf(units[0]), kSlice);

  // Zero padding between units (trailing_zero_8bits) too.
  const Bytes padded = cat({kStart4, kSps, Bytes{0, 0}, kStart4, kPps});
  const auto units2 = splitAnnexB(padded);
  ASSERT_EQ(units2.size(), 2u);
  EXPECT_EQ(bytesOf(units2[0]), kSps);
  EXPECT_EQ(bytesOf(units2[1]), kPps);
}

TEST(H264InfoTest, EmulationPreventionIsNotAStartCode) {
  // 00 00 03 01 inside a slice must not split it.
  const Bytes slice = {0x41, 0x9A, 0x00, 0x00, 0x03, 0x01, 0x77};
  const Bytes au = cat({kStart4, slice});  // the spans point into it: keep it alive
  const auto units = splitAnnexB(au);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(bytesOf(units[0]), slice);
}

TEST(H264InfoTest, EmptyAndGarbageInput) {
  EXPECT_TRUE(splitAnnexB({}).empty());
  EXPECT_FALSE(containsIdr({}));
  EXPECT_FALSE(h264CodecString({}).has_value());

  const Bytes garbage = {0x65, 0x88, 0x12, 0x34, 0x00, 0x00, 0x02, 0xFF, 0x00};
  EXPECT_TRUE(splitAnnexB(garbage).empty());  // no start code: no units
  EXPECT_FALSE(containsIdr(garbage));

  // Only start codes / zeros.
  for (const Bytes& b : {Bytes{0}, Bytes{0, 0}, Bytes{0, 0, 1}, Bytes{0, 0, 0, 1},
                         Bytes{0, 0, 1, 0, 0, 1}, Bytes{0, 0, 0, 0, 0, 0, 0}}) {
    EXPECT_TRUE(splitAnnexB(b).empty()) << b.size();
    EXPECT_FALSE(containsIdr(b));
    EXPECT_FALSE(h264CodecString(b).has_value());
  }
  // A start code followed by a one-byte unit at the very end.
  const Bytes one = {0, 0, 1, 0x65};
  const auto tail = splitAnnexB(one);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].type, 5);
  EXPECT_EQ(tail[0].bytes.size(), 1u);
}

TEST(H264InfoTest, RandomGarbageNeverCrashesAndSpansStayInside) {
  std::uint32_t state = 2463534242u;
  for (int round = 0; round < 2000; ++round) {
    Bytes b(round % 64);
    for (auto& x : b) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      x = (state % 4 == 0) ? 0 : (state % 7 == 0 ? 1 : static_cast<std::uint8_t>(state >> 8));
    }
    for (const auto& unit : splitAnnexB(b)) {
      ASSERT_FALSE(unit.bytes.empty());
      ASSERT_GE(unit.bytes.data(), b.data());
      ASSERT_LE(unit.bytes.data() + unit.bytes.size(), b.data() + b.size());
      ASSERT_EQ(unit.type, unit.bytes[0] & 0x1f);
    }
    (void)containsIdr(b);
    (void)h264CodecString(b);
  }
}

TEST(H264InfoTest, ContainsIdr) {
  EXPECT_TRUE(containsIdr(cat({kStart4, kSps, kStart4, kPps, kStart4, kIdr})));
  EXPECT_TRUE(containsIdr(cat({kStart3, kIdr})));
  EXPECT_FALSE(containsIdr(cat({kStart4, kSlice})));
  EXPECT_FALSE(containsIdr(cat({kStart4, kSps, kStart4, kPps})));  // parameter sets alone
  EXPECT_FALSE(containsIdr(cat({kStart4, kSei, kStart4, kSlice})));
  // 0x25 / 0x45: IDR with other nal_ref_idc values; 0x05 inside a payload is not a header.
  EXPECT_TRUE(containsIdr(cat({kStart4, Bytes{0x25, 0x11}})));
  EXPECT_TRUE(containsIdr(cat({kStart4, Bytes{0x45, 0x11}})));
  EXPECT_FALSE(containsIdr(cat({kStart4, Bytes{0x41, 0x05, 0x65}})));
}

TEST(H264InfoTest, CodecStringFromSps) {
  EXPECT_EQ(h264CodecString(cat({kStart4, kSps, kStart4, kPps, kStart4, kIdr})), "avc1.42C01F");
  // High profile 4.0, found after an SEI.
  const Bytes high = {0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40};
  EXPECT_EQ(h264CodecString(cat({kStart4, kSei, kStart3, high, kStart4, kPps})), "avc1.640028");
  // Main profile, level 3.0, 3-byte start code.
  EXPECT_EQ(h264CodecString(cat({kStart3, Bytes{0x27, 0x4D, 0x40, 0x1E, 0x99}})), "avc1.4D401E");
  // Upper-case hex with two digits each.
  EXPECT_EQ(h264CodecString(cat({kStart4, Bytes{0x67, 0x0A, 0x0B, 0x0C, 0x80}})), "avc1.0A0B0C");
  // The first SPS wins.
  EXPECT_EQ(h264CodecString(cat({kStart4, kSps, kStart4, high})), "avc1.42C01F");
}

TEST(H264InfoTest, CodecStringSkipsEmulationPreventionBytes) {
  // Not real profiles, but they test the unescaping: RBSP 00 00 01 is written 00 00 03 01.
  EXPECT_EQ(h264CodecString(cat({kStart4, Bytes{0x67, 0x00, 0x00, 0x03, 0x01, 0xFF}})),
            "avc1.000001");
  // An escaped 0x03 level: 00 00 03 03.
  EXPECT_EQ(h264CodecString(cat({kStart4, Bytes{0x67, 0x00, 0x00, 0x03, 0x03, 0x80}})),
            "avc1.000003");
  // A 03 that does not follow two zeros is data.
  EXPECT_EQ(h264CodecString(cat({kStart4, Bytes{0x67, 0x03, 0x00, 0x03, 0x80}})), "avc1.030003");
  EXPECT_EQ(h264CodecString(cat({kStart4, Bytes{0x67, 0x00, 0x00, 0x03, 0x02, 0x80}})),
            "avc1.000002");
}

TEST(H264InfoTest, NoOrTruncatedSpsGivesNothing) {
  EXPECT_FALSE(h264CodecString(cat({kStart4, kPps, kStart4, kIdr})).has_value());
  EXPECT_FALSE(h264CodecString(cat({kStart4, kSlice})).has_value());
  EXPECT_FALSE(h264CodecString(cat({kStart4, Bytes{0x67, 0x42, 0xC0}})).has_value());
  EXPECT_FALSE(h264CodecString(cat({kStart4, Bytes{0x67}})).has_value());
  // An escaped SPS that is too short once unescaped.
  EXPECT_FALSE(h264CodecString(cat({kStart4, Bytes{0x67, 0x00, 0x00, 0x03}})).has_value());
}

}  // namespace
}  // namespace framewire::core
