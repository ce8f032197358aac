// AccessUnitSplitter (stdin H.264 pass-through: byte-identical access units) and the SPS size
// reader, including random chunking and mutated input.
#include "media/sources/access_units.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace framewire::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes fromHex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Bytes nal(bool four_byte_start, const Bytes& payload) {
  Bytes out = four_byte_start ? Bytes{0, 0, 0, 1} : Bytes{0, 0, 1};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::string kSps640 = "6742c01ed900a02ff970110000030001000003003c0f162e48";
const std::string kSps1080 = "67640028acd940780227e5c044000003000400000300f03c60c658";
const std::string kSps720 = "6764001facd9405005bb0110000003001000000303c0f1831960";

// Access units as x264 writes them: 4-byte start code first, 3-byte ones after; an IDR with
// SPS/PPS/SEI, P-frames of one or two slices (the second with first_mb_in_slice != 0), a
// delimiter-led one.
std::vector<Bytes> sampleAccessUnits() {
  const Bytes sps = fromHex(kSps640);
  return {
      concat({nal(true, sps), nal(true, {0x68, 0xce, 0x38, 0x80}), nal(true, {0x06, 0x05, 0x11, 0x80}),
              nal(false, {0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x00, 0x00, 0x03, 0x01})}),
      concat({nal(true, {0x41, 0x9a, 0x21, 0x6c}), nal(false, {0x41, 0x01, 0x02, 0x03, 0x04})}),
      concat({nal(true, {0x41, 0x9a, 0x42, 0x3c, 0x21})}),
      concat({nal(true, {0x09, 0xf0}), nal(false, {0x41, 0x9a, 0x61, 0x00, 0x00, 0x03, 0x00, 0x07})}),
      concat({nal(true, {0x41, 0x9a, 0x81, 0x11})}),
  };
}

std::vector<Bytes> splitAll(const Bytes& input, std::mt19937& rng, std::size_t max_chunk) {
  std::vector<Bytes> out;
  AccessUnitSplitter splitter;
  const auto emit = [&](std::span<const std::uint8_t> au) { out.emplace_back(au.begin(), au.end()); };
  std::uniform_int_distribution<std::size_t> size(1, max_chunk);
  for (std::size_t off = 0; off < input.size();) {
    const std::size_t n = std::min(size(rng), input.size() - off);
    splitter.push(std::span<const std::uint8_t>(input.data() + off, n), emit);
    off += n;
  }
  splitter.flush(emit);
  return out;
}

TEST(AccessUnitSplitter, CutsAtEveryAccessUnitWhateverTheChunking) {
  const auto aus = sampleAccessUnits();
  const Bytes input = concat(aus);
  std::mt19937 rng(7);
  for (std::size_t max_chunk : {1u, 2u, 3u, 5u, 17u, 4096u}) {
    for (int round = 0; round < 50; ++round) {
      const auto out = splitAll(input, rng, max_chunk);
      ASSERT_EQ(out.size(), aus.size()) << "chunks up to " << max_chunk;
      for (std::size_t i = 0; i < aus.size(); ++i) EXPECT_EQ(out[i], aus[i]) << "access unit " << i;
    }
  }
}

TEST(AccessUnitSplitter, HoldsTheLastAccessUnitUntilTheNextBegins) {
  const auto aus = sampleAccessUnits();
  AccessUnitSplitter splitter;
  int emitted = 0;
  const auto emit = [&](std::span<const std::uint8_t>) { ++emitted; };
  splitter.push(aus[0], emit);
  EXPECT_EQ(emitted, 0);
  EXPECT_EQ(splitter.pending(), aus[0].size());
  splitter.push(aus[1], emit);
  EXPECT_EQ(emitted, 1);
  splitter.flush(emit);
  EXPECT_EQ(emitted, 2);
  EXPECT_EQ(splitter.pending(), 0u);
}

TEST(AccessUnitSplitter, NothingBeforeTheFirstStartCodeIsLostOrInvented) {
  // Leading garbage stays in front of the first access unit: concatenation gives the input.
  Bytes input = {0x12, 0x34};
  const Bytes rest = concat(sampleAccessUnits());
  input.insert(input.end(), rest.begin(), rest.end());
  std::mt19937 rng(3);
  EXPECT_EQ(concat(splitAll(input, rng, 9)), input);
}

TEST(AccessUnitSplitter, MutatedInputNeverCrashesAndLosesNoByte) {
  const Bytes clean = concat(sampleAccessUnits());
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    Bytes input = clean;
    std::uniform_int_distribution<std::size_t> pos(0, input.size() - 1);
    for (int k = 0; k < 1 + round % 8; ++k) {
      switch (byte(rng) % 3) {
        case 0: input[pos(rng)] = static_cast<std::uint8_t>(byte(rng)); break;
        case 1: input.erase(input.begin() + static_cast<std::ptrdiff_t>(pos(rng) % input.size())); break;
        default: input.insert(input.begin() + static_cast<std::ptrdiff_t>(pos(rng) % input.size()), 0); break;
      }
      if (input.empty()) input.push_back(0);
    }
    // Emitted access units are consecutive pieces of the input; the rest is still pending.
    std::vector<Bytes> out;
    AccessUnitSplitter splitter;
    splitter.push(input, [&](std::span<const std::uint8_t> au) {
      ASSERT_FALSE(au.empty());
      out.emplace_back(au.begin(), au.end());
    });
    const Bytes joined = concat(out);
    ASSERT_EQ(joined.size() + splitter.pending(), input.size());
    ASSERT_TRUE(std::equal(joined.begin(), joined.end(), input.begin()));
  }
}

TEST(SpsPictureSize, ReadsCroppedSizes) {
  const auto size640 = spsPictureSize(nal(true, fromHex(kSps640)));
  ASSERT_TRUE(size640);
  EXPECT_EQ(size640->width, 640);
  EXPECT_EQ(size640->height, 360);
  const auto size1080 = spsPictureSize(nal(true, fromHex(kSps1080)));  // high profile, cropped
  ASSERT_TRUE(size1080);
  EXPECT_EQ(size1080->width, 1920);
  EXPECT_EQ(size1080->height, 1080);
  const auto size720 = spsPictureSize(nal(true, fromHex(kSps720)));
  ASSERT_TRUE(size720);
  EXPECT_EQ(size720->width, 1280);
  EXPECT_EQ(size720->height, 720);
  EXPECT_FALSE(spsPictureSize(nal(true, {0x41, 0x9a, 0x21})));
}

TEST(SpsPictureSize, TruncatedAndMutatedSpsNeverCrash) {
  const Bytes sps = fromHex(kSps1080);
  for (std::size_t n = 0; n < sps.size(); ++n) {
    const auto size = spsPictureSize(nal(true, Bytes(sps.begin(), sps.begin() + static_cast<std::ptrdiff_t>(n))));
    if (size) {
      EXPECT_GT(size->width, 0);
    }
  }
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 5000; ++round) {
    Bytes m = sps;
    m[1 + static_cast<std::size_t>(byte(rng)) % (m.size() - 1)] = static_cast<std::uint8_t>(byte(rng));
    const auto size = spsPictureSize(nal(true, m));
    if (size) {
      EXPECT_GT(size->width, 0);
      EXPECT_LE(size->height, 16384);
    }
  }
}

}  // namespace
}  // namespace framewire::media
