#include "transport/direct/direct_framing.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace framewire::transport::direct {
namespace {

TEST(VideoHeader, EncodesTypeFlagsAndBigEndianTime) {
  const auto header = encodeVideoHeader(true, 0x0102030405060708);
  const VideoHeader expected{0x01, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(header, expected);
  EXPECT_EQ(encodeVideoHeader(false, 0)[1], 0x00);
}

TEST(VideoHeader, RoundTripsARealisticTime) {
  const std::int64_t now_us = 1'732'000'000'123'456;
  const auto header = encodeVideoHeader(false, now_us);
  const auto decoded = decodeVideoHeader(header);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->keyframe);
  EXPECT_EQ(decoded->capture_us, now_us);
}

TEST(VideoHeader, RejectsShortOrForeignMessages) {
  const std::uint8_t short_message[5] = {1, 1, 0, 0, 0};
  EXPECT_FALSE(decodeVideoHeader(short_message));
  auto header = encodeVideoHeader(true, 1);
  header[0] = 0x02;
  EXPECT_FALSE(decodeVideoHeader(header));
}

TEST(Hello, CarriesTypeCodecSizeAndFps) {
  const auto json = nlohmann::json::parse(helloMessage({"avc1.42C01F", 1280, 720, 60}, "main"));
  EXPECT_EQ(json["type"], "hello");
  EXPECT_EQ(json["codec"], "avc1.42C01F");
  EXPECT_EQ(json["width"], 1280);
  EXPECT_EQ(json["height"], 720);
  EXPECT_EQ(json["fps"], 60);
  EXPECT_EQ(json["branch"], "main");
}

TEST(StreamFormat, ComparesAllFields) {
  const StreamFormat a{"avc1.42C01F", 1280, 720, 60};
  EXPECT_EQ(a, (StreamFormat{"avc1.42C01F", 1280, 720, 60}));
  EXPECT_NE(a, (StreamFormat{"avc1.42C020", 1280, 720, 60}));
  EXPECT_NE(a, (StreamFormat{"avc1.42C01F", 640, 360, 60}));
}

TEST(ControlMessage, Keyframe) {
  const auto parsed = parseControlMessage(R"({"type":"keyframe"})");
  ASSERT_TRUE(parsed.message);
  EXPECT_EQ(parsed.message->type, ControlType::kKeyframe);
}

TEST(ControlMessage, PingEchoesAnyJsonValue) {
  for (const std::string t : {"42", "1.5", R"("abc")", R"({"a":[1,2]})", "null"}) {
    const auto parsed = parseControlMessage(R"({"type":"ping","t":)" + t + "}");
    ASSERT_TRUE(parsed.message) << t;
    EXPECT_EQ(parsed.message->type, ControlType::kPing);
    const auto pong = nlohmann::json::parse(pongMessage(parsed.message->ping_t));
    EXPECT_EQ(pong["type"], "pong");
    EXPECT_EQ(pong["t"], nlohmann::json::parse(t));
  }
  const auto no_t = parseControlMessage(R"({"type":"ping"})");
  ASSERT_TRUE(no_t.message);
  EXPECT_TRUE(nlohmann::json::parse(pongMessage(no_t.message->ping_t))["t"].is_null());
}

TEST(ControlMessage, UnknownTypeParsesAsUnknown) {
  const auto parsed = parseControlMessage(R"({"type":"dance"})");
  ASSERT_TRUE(parsed.message);
  EXPECT_EQ(parsed.message->type, ControlType::kUnknown);
  EXPECT_EQ(parsed.message->type_name, "dance");
}

TEST(ControlMessage, BadMessagesAreErrorsWithAReason) {
  for (const std::string text : {"", "nope{", "[1,2]", "42", R"({"t":1})", R"({"type":7})"}) {
    const auto parsed = parseControlMessage(text);
    EXPECT_FALSE(parsed.message) << text;
    EXPECT_FALSE(parsed.error.empty()) << text;
  }
}

}  // namespace
}  // namespace framewire::transport::direct
