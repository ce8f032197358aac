// SDP parsing and the answer plan: which H.264 payload type framewire sends with, and the
// reasons it gives when it cannot answer.

#include <gtest/gtest.h>

#include <string>

#include "sdp_chromium_offers.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {
namespace {

ServerVideoCodec constrainedBaseline() { return {*parseProfileLevelId("42e01f"), 1}; }

SessionDescription parse(const std::string& text) {
  auto result = parseSdp(text);
  EXPECT_TRUE(result.description) << result.error;
  return result.description.value_or(SessionDescription{});
}

// A minimal WebRTC offer with one video section holding `codec_lines`.
std::string videoOffer(const std::string& formats, const std::string& codec_lines,
                       const std::string& direction = "recvonly") {
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF " +
         formats +
         "\r\nc=IN IP4 0.0.0.0\r\n"
         "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
         "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\na=" +
         direction + "\r\na=rtcp-mux\r\n" + codec_lines;
}

TEST(SdpParse, ChromiumOfferSections) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  ASSERT_EQ(offer.media.size(), 2u);
  EXPECT_EQ(offer.media[0].media, "audio");
  EXPECT_EQ(offer.media[0].mid, "0");
  EXPECT_EQ(offer.media[1].media, "video");
  EXPECT_EQ(offer.media[1].mid, "1");
  EXPECT_EQ(offer.media[1].port, 9);
  EXPECT_EQ(offer.media[1].direction, "recvonly");
  EXPECT_EQ(offer.media[1].rtpmaps.at(108).encoding, "H264");
  EXPECT_EQ(offer.media[1].rtpmaps.at(108).clock_rate, 90000);
  EXPECT_EQ(offer.media[1].fmtps.at(109), "apt=108");
  EXPECT_EQ(offer.media[0].rtpmaps.at(111).channels, "2");
  EXPECT_EQ(offer.bundleMids(), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(*offer.effectiveAttribute(offer.media[1], "ice-ufrag"),
            *offer.media[1].attribute("ice-ufrag"));
  const auto& fbs = offer.media[1].rtcp_fbs.at(108);
  EXPECT_NE(std::find(fbs.begin(), fbs.end(), "nack pli"), fbs.end());
}

TEST(SdpParse, AcceptsLfAndCrlfAlike) {
  std::string crlf;
  for (const char* p = test::kChromiumVideoOnlyOffer; *p; ++p) {
    if (*p == '\n') crlf += '\r';
    crlf += *p;
  }
  const auto a = parse(test::kChromiumVideoOnlyOffer);
  const auto b = parse(crlf);
  ASSERT_EQ(a.media.size(), 1u);
  EXPECT_EQ(serializeSdp(a), serializeSdp(b));
}

TEST(SdpParse, RoundTripKeepsEveryLine) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  const auto again = parse(serializeSdp(offer));
  EXPECT_EQ(serializeSdp(offer), serializeSdp(again));
}

TEST(SdpParse, RejectsNonSdp) {
  for (const char* text : {"", "hello world", "{\"sdp\": \"v=0\"}", "v=1\r\n", "\r\n\r\n"}) {
    const auto result = parseSdp(text);
    EXPECT_FALSE(result.description) << text;
    EXPECT_FALSE(result.error.empty()) << text;
  }
}

TEST(SdpParse, RejectsTruncatedOffer) {
  const std::string full = test::kChromiumAudioVideoOffer;
  // Cut inside the session part: no m= section left.
  auto result = parseSdp(full.substr(0, full.find("m=audio")));
  EXPECT_FALSE(result.description);
  EXPECT_NE(result.error.find("no m= section"), std::string::npos) << result.error;
  // Cut in the middle of an m= line.
  result = parseSdp(full.substr(0, full.find("m=video") + 9));
  EXPECT_FALSE(result.description);
  EXPECT_NE(result.error.find("m= line"), std::string::npos) << result.error;
  // Cut in the middle of an rtpmap.
  result = parseSdp(full.substr(0, full.find("a=rtpmap:102") + 13));
  EXPECT_FALSE(result.description);
  EXPECT_NE(result.error.find("rtpmap"), std::string::npos) << result.error;
}

TEST(SdpParse, RejectsMissingSessionLines) {
  const auto result = parseSdp("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n");
  EXPECT_FALSE(result.description);
  EXPECT_NE(result.error.find("o="), std::string::npos);
}

TEST(Fmtp, ParsesParameters) {
  const auto params =
      parseFmtp("level-asymmetry-allowed=1; packetization-mode=1;PROFILE-LEVEL-ID=42e01f");
  EXPECT_EQ(params.at("level-asymmetry-allowed"), "1");
  EXPECT_EQ(params.at("packetization-mode"), "1");
  EXPECT_EQ(params.at("profile-level-id"), "42e01f");
}

TEST(H264Profile, Classifies) {
  EXPECT_EQ(parseProfileLevelId("42e01f")->profile(), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(parseProfileLevelId("42c01f")->profile(), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(parseProfileLevelId("42001f")->profile(), H264Profile::kBaseline);
  EXPECT_EQ(parseProfileLevelId("4d001f")->profile(), H264Profile::kMain);
  EXPECT_EQ(parseProfileLevelId("640c1f")->profile(), H264Profile::kConstrainedHigh);
  EXPECT_EQ(parseProfileLevelId("64001f")->profile(), H264Profile::kHigh);
  EXPECT_EQ(parseProfileLevelId("f4001f")->profile(), H264Profile::kHigh444);
  EXPECT_FALSE(parseProfileLevelId("42e01"));
  EXPECT_FALSE(parseProfileLevelId("zz0000"));
  EXPECT_EQ(parseProfileLevelId("42E01F")->hex(), "42e01f");
}

TEST(H264Profile, Decodability) {
  EXPECT_TRUE(canDecode(H264Profile::kBaseline, H264Profile::kConstrainedBaseline));
  EXPECT_TRUE(canDecode(H264Profile::kHigh, H264Profile::kConstrainedBaseline));
  EXPECT_TRUE(canDecode(H264Profile::kHigh, H264Profile::kMain));
  EXPECT_FALSE(canDecode(H264Profile::kConstrainedBaseline, H264Profile::kHigh));
  EXPECT_FALSE(canDecode(H264Profile::kBaseline, H264Profile::kMain));
  EXPECT_FALSE(canDecode(H264Profile::kMain, H264Profile::kBaseline));
}

TEST(AnswerPlan, ChromiumPicksExactConstrainedBaselineWithRtx) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  const auto result = planAnswer(offer, constrainedBaseline());
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->video_index, 1u);
  EXPECT_EQ(result.plan->video_mid, "1");
  // 102 (42001f, mode 1) comes first in Chromium's order, but 108 (42e01f) is the exact profile.
  EXPECT_EQ(result.plan->codec.payload_type, 108);
  EXPECT_TRUE(result.plan->codec.exact_profile);
  EXPECT_EQ(result.plan->codec.rtx_payload_type, 109);
  EXPECT_EQ(result.plan->codec.fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(result.plan->rejected, (std::vector<std::size_t>{0}));
}

TEST(AnswerPlan, ClientOrderBreaksTies) {
  const auto offer = parse(videoOffer(
      "100 101 102",
      "a=rtpmap:100 H264/90000\r\na=fmtp:100 packetization-mode=1;profile-level-id=42001f;"
      "level-asymmetry-allowed=1\r\na=rtpmap:101 H264/90000\r\n"
      "a=fmtp:101 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1\r\n"
      "a=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1\r\n"));
  const auto result = planAnswer(offer, constrainedBaseline());
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 101);
  EXPECT_FALSE(result.plan->codec.rtx_payload_type);
}

TEST(AnswerPlan, AcceptsCompatibleProfileWhenNoExactMatch) {
  const auto offer =
      parse(videoOffer("96 97",
                       "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 H264/90000\r\n"
                       "a=fmtp:97 packetization-mode=1;profile-level-id=4d001f\r\n"));
  const auto result = planAnswer(offer, constrainedBaseline());
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 97);
  EXPECT_FALSE(result.plan->codec.exact_profile);
}

TEST(AnswerPlan, LevelAsymmetryPreferredOverLowLevel) {
  // 42e00a is level 1.0: too low for 720p unless the client allows asymmetry.
  const auto offer = parse(videoOffer(
      "96 98",
      "a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e00a\r\n"
      "a=rtpmap:98 H264/90000\r\n"
      "a=fmtp:98 packetization-mode=1;profile-level-id=42e00a;level-asymmetry-allowed=1\r\n"));
  const auto result = planAnswer(offer, constrainedBaseline());
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 98);
}

TEST(AnswerPlan, PacketizationModeZeroOnlyIsNoCommonCodec) {
  const auto offer =
      parse(videoOffer("96 97",
                       "a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42e01f\r\n"
                       "a=rtpmap:97 VP8/90000\r\n"));
  const auto result = planAnswer(offer, constrainedBaseline());
  ASSERT_FALSE(result.plan);
  EXPECT_EQ(result.error, PlanError::kNoCommonCodec);
  // Names both sides' codecs.
  EXPECT_NE(result.reason.find("H264 42e01f/mode 0"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("VP8"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("framewire sends H264 constrained-baseline"), std::string::npos)
      << result.reason;
}

TEST(AnswerPlan, OnlyVp8AndVp9IsNoCommonCodec) {
  const auto offer =
      parse(videoOffer("96 97 98",
                       "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                       "a=rtpmap:98 VP9/90000\r\n"));
  const auto result = planAnswer(offer, constrainedBaseline());
  EXPECT_EQ(result.error, PlanError::kNoCommonCodec);
  EXPECT_NE(result.reason.find("the offer has VP8, VP9;"), std::string::npos) << result.reason;
}

TEST(AnswerPlan, HighOnlyStreamNeedsHighReceiver) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  // Chromium offers f4001f (high 4:4:4), which decodes a high-profile stream.
  const auto result = planAnswer(offer, {*parseProfileLevelId("640028"), 1});
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 41);
}

TEST(AnswerPlan, AudioOnlyIsNoVideo) {
  const std::string full = test::kChromiumAudioVideoOffer;
  const auto offer = parse(full.substr(0, full.find("m=video")));
  const auto result = planAnswer(offer, constrainedBaseline());
  EXPECT_EQ(result.error, PlanError::kNoVideo);
  EXPECT_NE(result.reason.find("it has: audio"), std::string::npos) << result.reason;
}

TEST(AnswerPlan, SendonlyVideoIsNoVideo) {
  const auto offer = parse(videoOffer(
      "96", "a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n",
      "sendonly"));
  EXPECT_EQ(planAnswer(offer, constrainedBaseline()).error, PlanError::kNoVideo);
}

TEST(AnswerPlan, MissingIceCredentialsIsMalformed) {
  auto text = videoOffer(
      "96", "a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n");
  text.replace(text.find("a=ice-pwd"), 9, "a=ice-pwX");
  const auto result = planAnswer(parse(text), constrainedBaseline());
  EXPECT_EQ(result.error, PlanError::kMalformed);
  EXPECT_NE(result.reason.find("ice-pwd"), std::string::npos);
}

}  // namespace
}  // namespace framewire::transport::webrtc
