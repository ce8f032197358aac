// The playout-delay header extension: found in offers, answered only when planned, and its
// 3 bytes; random extmap lines never crash the lookup.

#include "transport/webrtc/header_extensions.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sdp_chromium_offers.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"

namespace framewire::transport::webrtc {
namespace {

MediaSection sectionWith(const std::string& extmap_lines) {
  const std::string text =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n" +
      extmap_lines + "a=rtpmap:96 H264/90000\r\n";
  auto parsed = parseSdp(text);
  EXPECT_TRUE(parsed.description) << parsed.error;
  if (!parsed.description || parsed.description->media.empty()) return {};
  return parsed.description->media[0];
}

TEST(HeaderExtensions, FindsTheOfferedId) {
  EXPECT_EQ(offeredExtensionId(sectionWith("a=extmap:5 " + std::string(kPlayoutDelayUri) + "\r\n"),
                               kPlayoutDelayUri),
            5);
  EXPECT_EQ(offeredExtensionId(
                sectionWith("a=extmap:12/recvonly " + std::string(kPlayoutDelayUri) + " x\r\n"),
                kPlayoutDelayUri),
            12);
  EXPECT_FALSE(offeredExtensionId(sectionWith("a=extmap:3 urn:other\r\n"), kPlayoutDelayUri));
  // Two-byte-header ids (15+) cannot go into the one-byte header rtph264pay's buffers get.
  EXPECT_FALSE(offeredExtensionId(
      sectionWith("a=extmap:15 " + std::string(kPlayoutDelayUri) + "\r\n"), kPlayoutDelayUri));
  EXPECT_FALSE(offeredExtensionId(
      sectionWith("a=extmap:x " + std::string(kPlayoutDelayUri) + "\r\n"), kPlayoutDelayUri));
}

TEST(HeaderExtensions, PlayoutDelayBytes) {
  EXPECT_EQ(playoutDelayBytes(0, 0), (std::array<std::uint8_t, 3>{0, 0, 0}));
  // min 100 ms = 10 units (0x00a), max 400 ms = 40 units (0x028): 00 a0 28
  EXPECT_EQ(playoutDelayBytes(100, 400), (std::array<std::uint8_t, 3>{0x00, 0xa0, 0x28}));
  EXPECT_EQ(playoutDelayBytes(-5, 1'000'000), (std::array<std::uint8_t, 3>{0x00, 0x0f, 0xff}));
}

TEST(HeaderExtensions, AnswerCarriesTheExtmapOnlyWhenPlanned) {
  auto offer = parseSdp(test::kChromiumAudioVideoOffer).description.value();
  auto planned = planAnswer(offer, {*parseProfileLevelId("42e01f"), 1});
  ASSERT_TRUE(planned.plan) << planned.reason;
  ASSERT_TRUE(planned.plan->playout_delay_id);
  EXPECT_EQ(*planned.plan->playout_delay_id, 5);
  const SessionDescription agent_answer = parseSdp(
      "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
      "a=fingerprint:sha-256 11:22\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
      "a=rtpmap:108 H264/90000\r\n").description.value();
  std::string error;
  auto answer = finalAnswer(offer, *planned.plan, agent_answer, {}, &error);
  ASSERT_TRUE(answer) << error;
  EXPECT_NE(answer->find("a=extmap:5 " + std::string(kPlayoutDelayUri)), std::string::npos);
  // webrtcbin is never shown the extensions (it would answer ones nobody writes).
  EXPECT_EQ(agentOffer(offer, *planned.plan).find("a=extmap:"), std::string::npos);

  planned.plan->playout_delay_id.reset();  // webrtc-playout-delay: false
  answer = finalAnswer(offer, *planned.plan, agent_answer, {}, &error);
  ASSERT_TRUE(answer) << error;
  EXPECT_EQ(answer->find("a=extmap:"), std::string::npos);
}

TEST(HeaderExtensions, RandomExtmapLinesNeverCrash) {
  std::mt19937 rng(4);
  const std::string alphabet = "0123456789/ :abcxhtp.-\t";
  for (int i = 0; i < 2000; ++i) {
    std::string line = "a=extmap:";
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) line += alphabet[rng() % alphabet.size()];
    if (rng() % 2) line += " " + std::string(kPlayoutDelayUri);
    auto parsed = parseSdp("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                           "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n" +
                           line + "\r\n");
    if (!parsed.description || parsed.description->media.empty()) continue;
    const auto id = offeredExtensionId(parsed.description->media[0], kPlayoutDelayUri);
    if (id) {
      EXPECT_GE(*id, 1);
      EXPECT_LE(*id, 14);
    }
  }
}

}  // namespace
}  // namespace framewire::transport::webrtc
