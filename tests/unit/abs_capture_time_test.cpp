// The abs-capture-time header extension: its 8 bytes (NTP UQ32.32 of the capture time), its
// negotiation (found in the offer's video and audio sections, answered in each only when
// offered, never shown to webrtcbin) and the PTS → capture time pairs the probe reads.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sdp_chromium_offers.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/capture_times.hpp"
#include "transport/webrtc/header_extensions.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"

namespace framewire::transport::webrtc {
namespace {

std::uint64_t be64(const std::array<std::uint8_t, 8>& b) {
  std::uint64_t v = 0;
  for (const auto byte : b) v = (v << 8) | byte;
  return v;
}

TEST(AbsCaptureTime, Bytes) {
  // The Unix epoch is NTP second 2208988800 (0x83AA7E80), fraction 0.
  EXPECT_EQ(absCaptureTimeBytes(0),
            (std::array<std::uint8_t, 8>{0x83, 0xaa, 0x7e, 0x80, 0, 0, 0, 0}));
  // Half a second: fraction 2^31.
  EXPECT_EQ(absCaptureTimeBytes(500'000),
            (std::array<std::uint8_t, 8>{0x83, 0xaa, 0x7e, 0x80, 0x80, 0, 0, 0}));
  // 2026-11-22T00:00:00Z + 0.25 s = 1795305600.25 Unix: NTP second 4004294400 (0xEEACAF00),
  // fraction 2^30.
  EXPECT_EQ(absCaptureTimeBytes(1'795'305'600'250'000LL),
            (std::array<std::uint8_t, 8>{0xee, 0xac, 0xaf, 0x00, 0x40, 0, 0, 0}));
  // Before the epoch: clamped, never garbage.
  EXPECT_EQ(absCaptureTimeBytes(-5), absCaptureTimeBytes(0));
}

TEST(AbsCaptureTime, BytesRoundTripToTheMicrosecond) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    // 2000..2035: NTP era 0
    const std::int64_t us = 946'684'800'000'000LL +
                            static_cast<std::int64_t>(rng() % 1'100'000'000'000'000ULL);
    const std::uint64_t ntp = be64(absCaptureTimeBytes(us));
    const std::uint64_t seconds = ntp >> 32;
    const std::uint64_t fraction = ntp & 0xffffffffULL;
    EXPECT_EQ(static_cast<std::int64_t>(seconds - 2'208'988'800ULL), us / 1'000'000);
    // Back to µs (rounded): the same microsecond.
    const std::uint64_t micros = (fraction * 1'000'000 + (1ULL << 31)) >> 32;
    EXPECT_EQ(static_cast<std::int64_t>(micros), us % 1'000'000) << us;
  }
}

// Chromium's offer with abs-capture-time asked for on both transceivers (the page's
// setHeaderExtensionsToNegotiate), here as id `id` in each section.
std::string offerWithAbsCaptureTime(int audio_id, int video_id) {
  std::string text = test::kChromiumAudioVideoOffer;
  const std::string after = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\n";
  const auto audio_at = text.find(after);
  const auto video_at = text.find(after, audio_at + 1);
  EXPECT_NE(video_at, std::string::npos);
  const auto line = [](int id) {
    return "a=extmap:" + std::to_string(id) + " " + std::string(kAbsCaptureTimeUri) + "\n";
  };
  text.insert(video_at + after.size(), line(video_id));
  text.insert(audio_at + after.size(), line(audio_id));
  return text;
}

const char* kAgentAnswer =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
    "a=fingerprint:sha-256 11:22\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 OPUS/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
    "a=fingerprint:sha-256 11:22\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:108 H264/90000\r\n";

std::optional<std::string> extmapOf(const MediaSection& section) {
  for (const auto& line : section.lines) {
    if (line.type == 'a' && line.attributeName() == "extmap" &&
        line.attributeValue().find(kAbsCaptureTimeUri) != std::string_view::npos) {
      return std::string(line.attributeValue());
    }
  }
  return std::nullopt;
}

TEST(AbsCaptureTime, NegotiatedPerSectionWhenOffered) {
  const auto offer = parseSdp(offerWithAbsCaptureTime(12, 9)).description.value();
  auto planned = planAnswer(offer, {*parseProfileLevelId("42e01f"), 1});
  ASSERT_TRUE(planned.plan) << planned.reason;
  auto& plan = *planned.plan;
  EXPECT_EQ(plan.abs_capture_time_id, 9);
  planAudio(plan, offer, {});
  ASSERT_TRUE(plan.audio);
  EXPECT_EQ(plan.audio->abs_capture_time_id, 12);
  // webrtcbin never sees it (it would answer extensions nobody writes).
  EXPECT_EQ(agentOffer(offer, plan).find("abs-capture-time"), std::string::npos);

  std::string error;
  auto text = finalAnswer(offer, plan, parseSdp(kAgentAnswer).description.value(), {}, &error);
  ASSERT_TRUE(text) << error;
  auto answer = parseSdp(*text).description.value();
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(extmapOf(answer.media[0]), "12 " + std::string(kAbsCaptureTimeUri));
  EXPECT_EQ(extmapOf(answer.media[1]), "9 " + std::string(kAbsCaptureTimeUri));

  // A section the server only receives on (the viewer's microphone) gets no capture times.
  plan.audio->send = false;
  plan.audio->receive = true;
  text = finalAnswer(offer, plan, parseSdp(kAgentAnswer).description.value(), {}, &error);
  ASSERT_TRUE(text) << error;
  answer = parseSdp(*text).description.value();
  EXPECT_FALSE(extmapOf(answer.media[0]));
  EXPECT_TRUE(extmapOf(answer.media[1]));
}

TEST(AbsCaptureTime, NotAnsweredWhenNotOffered) {
  // Chromium's default offer: no abs-capture-time.
  const auto offer = parseSdp(test::kChromiumAudioVideoOffer).description.value();
  auto planned = planAnswer(offer, {*parseProfileLevelId("42e01f"), 1});
  ASSERT_TRUE(planned.plan);
  planAudio(*planned.plan, offer, {});
  EXPECT_FALSE(planned.plan->abs_capture_time_id);
  ASSERT_TRUE(planned.plan->audio);
  EXPECT_FALSE(planned.plan->audio->abs_capture_time_id);
  std::string error;
  const auto text =
      finalAnswer(offer, *planned.plan, parseSdp(kAgentAnswer).description.value(), {}, &error);
  ASSERT_TRUE(text) << error;
  EXPECT_EQ(text->find("abs-capture-time"), std::string::npos);
  // Offered with a two-byte-header id (15+): not taken (the probe writes one-byte headers).
  const auto high = parseSdp(offerWithAbsCaptureTime(15, 200)).description.value();
  planned = planAnswer(high, {*parseProfileLevelId("42e01f"), 1});
  ASSERT_TRUE(planned.plan);
  planAudio(*planned.plan, high, {});
  EXPECT_FALSE(planned.plan->abs_capture_time_id);
  EXPECT_FALSE(planned.plan->audio->abs_capture_time_id);
}

TEST(CaptureTimes, FindsWhatWasRecordedNewestFirstAndForgetsTheOldest) {
  CaptureTimes times;
  EXPECT_FALSE(times.find(0));
  times.record(1000, 11);
  times.record(2000, 22);
  EXPECT_EQ(times.find(1000), 11);
  EXPECT_EQ(times.find(2000), 22);
  EXPECT_FALSE(times.find(1500));
  times.record(1000, 33);  // the same PTS again: the newest wins
  EXPECT_EQ(times.find(1000), 33);
  for (std::uint64_t i = 0; i < CaptureTimes::kCapacity; ++i) times.record(10'000 + i, 100 + i);
  EXPECT_FALSE(times.find(2000)) << "pushed out by kCapacity newer pairs";
  EXPECT_EQ(times.find(10'000), 100);
  EXPECT_EQ(times.find(10'000 + CaptureTimes::kCapacity - 1),
            static_cast<std::int64_t>(100 + CaptureTimes::kCapacity - 1));
}

}  // namespace
}  // namespace framewire::transport::webrtc
