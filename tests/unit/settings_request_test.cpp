// POST /api/settings bodies: valid ones, every refusal, and mutated bodies that never crash.
#include <gtest/gtest.h>

#include <random>

#include "core/codec_string.hpp"
#include "server/settings_request.hpp"

namespace framewire::server {
namespace {

std::string errorOf(std::string_view body) {
  try {
    parseSettingsRequest(body);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsRequestTest, ReadsEveryField) {
  const auto r = parseSettingsRequest(
      R"({"branch":"lq","bitrate":1000,"fps":15,"gop":60,"width":640,"height":360,"jpeg_quality":50})");
  EXPECT_EQ(r.branch, "lq");
  EXPECT_EQ(*r.change.bitrate_kbps, 1000);
  EXPECT_EQ(*r.change.fps, 15);
  EXPECT_EQ(*r.change.gop, 60);
  EXPECT_EQ(*r.change.width, 640);
  EXPECT_EQ(*r.change.height, 360);
  EXPECT_EQ(*r.jpeg_quality, 50);
  const auto only = parseSettingsRequest(R"({"bitrate":2000.0})");
  EXPECT_TRUE(only.branch.empty());
  EXPECT_EQ(*only.change.bitrate_kbps, 2000);
  EXPECT_FALSE(only.change.fps);
}

TEST(SettingsRequestTest, RefusalsSayWhy) {
  EXPECT_NE(errorOf("not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf("[1]").find("object"), std::string::npos);
  EXPECT_NE(errorOf("{}").find("nothing to change"), std::string::npos);
  EXPECT_NE(errorOf(R"({"branch":"a"})").find("nothing to change"), std::string::npos);
  EXPECT_NE(errorOf(R"({"speed":3})").find("unknown key \"speed\""), std::string::npos);
  EXPECT_NE(errorOf(R"({"bitrate":"fast"})").find("bitrate: must be an integer"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"fps":2.5})").find("fps: must be an integer"), std::string::npos);
  EXPECT_NE(errorOf(R"({"gop":1e30})").find("gop"), std::string::npos);
  EXPECT_NE(errorOf(R"({"width":99999999999})").find("out of range"), std::string::npos);
  EXPECT_NE(errorOf(R"({"branch":5,"fps":3})").find("branch: must be a string"),
            std::string::npos);
}

TEST(SettingsRequestTest, MutatedBodiesNeverCrash) {
  const std::string seed =
      R"({"branch":"hq","bitrate":1000,"fps":30,"gop":0,"width":1280,"height":720,"jpeg_quality":80})";
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string body = seed;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < edits && !body.empty(); ++k) {
      const std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = static_cast<char>(rng() % 256); break;
        case 1: body.erase(at, 1 + rng() % 8); break;
        default: body.insert(at, 1, "{}[]\",:0-e."[rng() % 11]); break;
      }
    }
    try {
      parseSettingsRequest(body);
    } catch (const std::invalid_argument&) {
    }
  }
}

TEST(CodecStringTest, WebCodecsStringsPerCodec) {
  using core::Codec;
  EXPECT_EQ(core::webCodecsString(Codec::kVp8, {}, 1280, 720, 30), "vp8");
  EXPECT_EQ(core::webCodecsString(Codec::kVp9, {}, 1280, 720, 30), "vp09.00.31.08");
  EXPECT_EQ(core::webCodecsString(Codec::kVp9, {}, 1920, 1080, 30), "vp09.00.40.08");
  EXPECT_EQ(core::webCodecsString(Codec::kAv1, {}, 1280, 720, 30), "av01.0.05M.08");
  EXPECT_EQ(core::webCodecsString(Codec::kAv1, {}, 1920, 1080, 60), "av01.0.09M.08");
  EXPECT_FALSE(core::webCodecsString(Codec::kJpeg, {}, 640, 480, 30));
  EXPECT_EQ(core::codecFromName("vp9"), Codec::kVp9);
  EXPECT_FALSE(core::codecFromName("mpeg2"));
}

}  // namespace
}  // namespace framewire::server
