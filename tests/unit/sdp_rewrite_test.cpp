// The rewrites around webrtcbin: the cut-down offer it negotiates, the answer rebuilt in the
// client's shape (rejected sections, candidates, announced address), trickle fragments.

#include "transport/webrtc/sdp_rewrite.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp_chromium_offers.hpp"

namespace framewire::transport::webrtc {
namespace {

SessionDescription parse(const std::string& text) {
  auto result = parseSdp(text);
  EXPECT_TRUE(result.description) << result.error;
  return result.description.value_or(SessionDescription{});
}

AnswerPlan chromiumPlan(const SessionDescription& offer) {
  auto result = planAnswer(offer, {*parseProfileLevelId("42e01f"), 1});
  EXPECT_TRUE(result.plan) << result.reason;
  return result.plan.value_or(AnswerPlan{});
}

// What webrtcbin answers to the agent offer (shape taken from GStreamer 1.22).
const char* kAgentAnswer =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-options:trickle\r\n"
    "a=group:BUNDLE 1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 108 109\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
    "a=fingerprint:sha-256 11:22\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:108 H264/90000\r\na=rtpmap:109 rtx/90000\r\na=fmtp:109 apt=108\r\n";

TEST(AgentOffer, KeepsOnlyTheChosenVideoCodec) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  const auto plan = chromiumPlan(offer);
  const auto agent = parse(agentOffer(offer, plan));
  ASSERT_EQ(agent.media.size(), 1u);
  const auto& video = agent.media[0];
  EXPECT_EQ(video.media, "video");
  EXPECT_EQ(video.mid, "1");
  EXPECT_EQ(video.formats, (std::vector<std::string>{"108", "109"}));
  EXPECT_EQ(video.rtpmaps.size(), 2u);
  EXPECT_EQ(video.fmtps.at(108),
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(video.rtcp_fbs.at(108), (std::vector<std::string>{"ccm fir", "nack", "nack pli"}));
  EXPECT_FALSE(video.attribute("extmap"));
  EXPECT_FALSE(video.attribute("candidate"));  // Chromium's are all mDNS names
  EXPECT_TRUE(video.attribute("ice-ufrag"));
  EXPECT_TRUE(video.attribute("fingerprint"));
  EXPECT_EQ(agent.bundleMids(), (std::vector<std::string>{"1"}));
}

TEST(AgentOffer, KeepsIpCandidates) {
  auto text = std::string(test::kChromiumVideoOnlyOffer);
  const auto at = text.find("a=ice-ufrag");
  text.insert(at, "a=candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host generation 0\n");
  const auto offer = parse(text);
  const auto agent = parse(agentOffer(offer, chromiumPlan(offer)));
  EXPECT_EQ(*agent.media[0].attribute("candidate"),
            "1 1 udp 2113937151 127.0.0.1 5000 typ host generation 0");
}

TEST(FinalAnswer, RejectsAudioAndKeepsOfferOrder) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  const auto plan = chromiumPlan(offer);
  AnswerExtras extras;
  extras.candidates = {"candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host"};
  extras.gathering_complete = true;
  std::string error;
  const auto text = finalAnswer(offer, plan, parse(kAgentAnswer), extras, &error);
  ASSERT_TRUE(text) << error;
  const auto answer = parse(*text);
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[0].media, "audio");
  EXPECT_EQ(answer.media[0].port, 0);
  EXPECT_EQ(answer.media[0].mid, "0");
  EXPECT_EQ(answer.media[0].direction, "inactive");
  EXPECT_EQ(answer.media[1].media, "video");
  EXPECT_EQ(answer.media[1].mid, "1");
  EXPECT_EQ(answer.media[1].direction, "sendonly");
  EXPECT_EQ(*answer.media[1].attribute("candidate"), "1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  EXPECT_TRUE(answer.media[1].attribute("end-of-candidates"));
  EXPECT_EQ(answer.bundleMids(), (std::vector<std::string>{"1"}));
}

TEST(FinalAnswer, AnnouncedAddressReplacesHostCandidates) {
  const auto offer = parse(test::kChromiumVideoOnlyOffer);
  const auto plan = chromiumPlan(offer);
  AnswerExtras extras;
  extras.candidates = {"candidate:1 1 UDP 2015363327 10.0.0.5 40000 typ host",
                       "candidate:2 1 UDP 1677721855 198.51.100.7 40000 typ srflx raddr "
                       "10.0.0.5 rport 40000",
                       "candidate:3 1 UDP 2015363327 fd00::5 40002 typ host"};
  extras.announced_address = "203.0.113.9";
  std::string agent = kAgentAnswer;
  std::string error;
  const auto text = finalAnswer(offer, plan, parse(agent), extras, &error);
  ASSERT_TRUE(text) << error;
  EXPECT_NE(text->find("a=candidate:1 1 UDP 2015363327 203.0.113.9 40000 typ host"),
            std::string::npos);
  EXPECT_EQ(text->find("10.0.0.5 40000 typ host"), std::string::npos);
  EXPECT_NE(text->find("198.51.100.7 40000 typ srflx"), std::string::npos);
  EXPECT_NE(text->find("fd00::5 40002 typ host"), std::string::npos);
}

TEST(FinalAnswer, DoesNotDuplicateCandidatesWebrtcbinAlreadyListed) {
  const auto offer = parse(test::kChromiumVideoOnlyOffer);
  std::string agent =
      std::string(kAgentAnswer) + "a=candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host\r\n";
  AnswerExtras extras;
  extras.candidates = {"candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host"};
  std::string error;
  const auto text = finalAnswer(offer, chromiumPlan(offer), parse(agent), extras, &error);
  ASSERT_TRUE(text) << error;
  const auto first = text->find("a=candidate:");
  EXPECT_NE(first, std::string::npos);
  EXPECT_EQ(text->find("a=candidate:", first + 1), std::string::npos);
}

TEST(Candidate, ParseAndRewrite) {
  const auto c = parseCandidate("a=candidate:842163049 1 udp 1677729535 1.2.3.4 56143 typ srflx");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "1.2.3.4");
  EXPECT_EQ(c->port, "56143");
  EXPECT_EQ(c->type, "srflx");
  EXPECT_EQ(c->transport, "udp");
  EXPECT_FALSE(parseCandidate("candidate:1 1 udp"));
  EXPECT_TRUE(isMdnsCandidate("candidate:1 1 udp 2113937151 ab-cd.local 59443 typ host"));
  EXPECT_EQ(replaceCandidateAddress("candidate:1 1 udp 5 10.0.0.1 9 typ host", "9.9.9.9"),
            "candidate:1 1 udp 5 9.9.9.9 9 typ host");
}

TEST(Trickle, ParsesRfc8840Fragment) {
  const auto result = parseTrickleFragment(
      "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "m=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
      "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0\r\n"
      "a=end-of-candidates\r\n");
  ASSERT_TRUE(result.fragment) << result.error;
  EXPECT_EQ(result.fragment->ice_ufrag, "EsAw");
  ASSERT_EQ(result.fragment->candidates.size(), 1u);
  EXPECT_EQ(result.fragment->candidates[0].mid, "0");
  EXPECT_EQ(result.fragment->candidates[0].candidate.rfind("candidate:1387637174", 0), 0u);
  EXPECT_TRUE(result.fragment->end_of_candidates);
}

TEST(Trickle, RejectsGarbage) {
  EXPECT_FALSE(parseTrickleFragment("not a fragment").fragment);
  EXPECT_FALSE(parseTrickleFragment("a=candidate:1 1 udp\r\n").fragment);
}

}  // namespace
}  // namespace framewire::transport::webrtc
