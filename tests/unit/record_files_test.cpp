// Recording names, the directory limits and HTTP byte ranges (src/record), with a bounded
// fuzz loop over both parsers of client input.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "record/byte_range.hpp"
#include "record/recording_files.hpp"

namespace framewire::record {
namespace {

namespace fs = std::filesystem;

TEST(RecordingFiles, NamesCarryBranchAndStartTimeAndAreSafe) {
  // 2026-11-22 02:47:01.123 UTC
  const std::int64_t us = 1'795'315'621'123'000;
  const auto name = recordingFileName("main", us);
  EXPECT_EQ(name, "framewire-main-20261122-024701-123.mp4");
  EXPECT_TRUE(isSafeRecordingName(name));
  EXPECT_EQ(recordingFileName("a/b", us).find('/'), std::string::npos);
}

TEST(RecordingFiles, RefusesTraversalAndOddNames) {
  for (const char* bad : {"", ".", "..", "../x.mp4", "a/b.mp4", "..%2f.mp4", ".hidden.mp4",
                          "x.mp4/", "x.txt", "x..mp4", "/etc/passwd", "a\\b.mp4", ".mp4",
                          "x.mp4\n", "x mp4.mp4"}) {
    EXPECT_FALSE(isSafeRecordingName(bad)) << bad;
  }
  EXPECT_FALSE(isSafeRecordingName(std::string("a\0b.mp4", 7)));
  EXPECT_FALSE(isSafeRecordingName(std::string(300, 'a') + ".mp4"));
  EXPECT_TRUE(isSafeRecordingName("my_clip-1.mp4"));
}

TEST(RecordingFiles, LimitsDeleteTheOldestButNeverTheCurrentFile) {
  const fs::path dir = fs::temp_directory_path() / "fw-record-limits-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int i = 0; i < 5; ++i) {
    std::ofstream(dir / ("framewire-main-2026010" + std::to_string(i) + ".mp4"))
        << std::string(1000, 'x');
  }
  std::ofstream(dir / "notes.txt") << "not a recording";
  auto deleted = enforceLimits(dir, "framewire-main-20260100.mp4", 3, 0);
  EXPECT_EQ(deleted, (std::vector<std::string>{"framewire-main-20260101.mp4",
                                               "framewire-main-20260102.mp4"}));
  deleted = enforceLimits(dir, "", 0, 2500);
  EXPECT_EQ(deleted.size(), 1u);
  EXPECT_EQ(listRecordings(dir).size(), 2u);
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  fs::remove_all(dir);
}

TEST(ByteRange, ParsesTheFormsBrowsersSend) {
  ByteRange r;
  ASSERT_EQ(parseByteRange("bytes=0-", 1000, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 999u);
  ASSERT_EQ(parseByteRange("bytes=100-199", 1000, r), RangeResult::kRange);
  EXPECT_EQ(r.length(), 100u);
  ASSERT_EQ(parseByteRange("bytes=900-5000", 1000, r), RangeResult::kRange);
  EXPECT_EQ(r.last, 999u);
  ASSERT_EQ(parseByteRange("bytes=-10", 1000, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 990u);
  ASSERT_EQ(parseByteRange("bytes=5-9, 20-30", 1000, r), RangeResult::kRange);
  EXPECT_EQ(r.first, 5u);
  EXPECT_EQ(parseByteRange("bytes=1000-", 1000, r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(parseByteRange("bytes=-0", 1000, r), RangeResult::kUnsatisfiable);
  EXPECT_EQ(parseByteRange("", 1000, r), RangeResult::kNone);
  EXPECT_EQ(parseByteRange("items=0-1", 1000, r), RangeResult::kNone);
  EXPECT_EQ(parseByteRange("bytes=9-5", 1000, r), RangeResult::kNone);
  EXPECT_EQ(parseByteRange("bytes=a-5", 1000, r), RangeResult::kNone);
  EXPECT_EQ(parseByteRange("bytes=99999999999999999999-", 1000, r), RangeResult::kNone);
}

TEST(ByteRange, FuzzedHeadersNeverGiveARangeOutsideTheFile) {
  std::mt19937 rng(7);
  const std::string alphabet = "bytes=-0123456789, \t";
  for (int i = 0; i < 20000; ++i) {
    std::string header = i % 2 ? "bytes=" : "";
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) header += alphabet[rng() % alphabet.size()];
    const std::uint64_t size = rng() % 5000;
    ByteRange r{12345, 12345};
    if (parseByteRange(header, size, r) == RangeResult::kRange) {
      ASSERT_LE(r.first, r.last) << header;
      ASSERT_LT(r.last, size) << header;
    }
    std::string name;
    for (int k = 0; k < n; ++k) name += static_cast<char>(rng() % 256);
    if (isSafeRecordingName(name)) {
      ASSERT_EQ(name.find('/'), std::string::npos);
      ASSERT_EQ(name.find(".."), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace framewire::record
