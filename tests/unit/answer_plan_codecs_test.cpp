// The answer plan for VP8, VP9 and AV1 branches: the client's payload type of the branch's
// codec (with its RTX and feedback), profile 0 only for VP9 and AV1, and the reasons given
// when the offer lacks the codec.

#include <gtest/gtest.h>

#include <string>

#include "sdp_chromium_offers.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_session.hpp"

namespace framewire::transport::webrtc {
namespace {

ServerVideoCodec branch(const std::string& encoding) {
  ServerVideoCodec codec;
  codec.encoding = encoding;
  return codec;
}

SessionDescription parse(const std::string& text) {
  auto result = parseSdp(text);
  EXPECT_TRUE(result.description) << result.error;
  return result.description.value_or(SessionDescription{});
}

std::string videoOffer(const std::string& formats, const std::string& codec_lines) {
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF " +
         formats +
         "\r\nc=IN IP4 0.0.0.0\r\n"
         "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
         "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\na=recvonly\r\n"
         "a=rtcp-mux\r\n" +
         codec_lines;
}

TEST(AnswerPlanCodecs, ChromiumOfferServesEveryBrowserCodec) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  for (const std::string encoding : {"VP8", "VP9", "AV1", "H264"}) {
    const auto result = planAnswer(offer, branch(encoding));
    ASSERT_TRUE(result.plan) << encoding << ": " << result.reason;
    const auto& section = offer.media[result.plan->video_index];
    const auto map = section.rtpmaps.at(result.plan->codec.payload_type);
    EXPECT_EQ(map.encoding, encoding);
    EXPECT_EQ(result.plan->codec.encoding, encoding);
    EXPECT_TRUE(result.plan->codec.rtx_payload_type.has_value()) << encoding;
  }
}

TEST(AnswerPlanCodecs, Vp8WithRtxAndFeedback) {
  const auto offer = parse(videoOffer(
      "96 97 98", "a=rtpmap:98 H264/90000\r\na=rtpmap:96 VP8/90000\r\n"
                  "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 goog-remb\r\n"
                  "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"));
  const auto result = planAnswer(offer, branch("VP8"));
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 96);
  EXPECT_EQ(result.plan->codec.rtx_payload_type, 97);
  EXPECT_EQ(result.plan->codec.rtcp_fbs.size(), 3u);
}

TEST(AnswerPlanCodecs, Vp9AndAv1NeedProfileZero) {
  const auto vp9 = parse(videoOffer(
      "100 101", "a=rtpmap:100 VP9/90000\r\na=fmtp:100 profile-id=2\r\n"
                 "a=rtpmap:101 VP9/90000\r\na=fmtp:101 profile-id=0\r\n"));
  const auto result = planAnswer(vp9, branch("VP9"));
  ASSERT_TRUE(result.plan) << result.reason;
  EXPECT_EQ(result.plan->codec.payload_type, 101);
  EXPECT_EQ(result.plan->codec.fmtp, "profile-id=0");

  const auto av1_high = parse(videoOffer("45", "a=rtpmap:45 AV1/90000\r\na=fmtp:45 profile=1\r\n"));
  EXPECT_EQ(planAnswer(av1_high, branch("AV1")).error, PlanError::kNoCommonCodec);
  const auto av1 = parse(videoOffer("45", "a=rtpmap:45 AV1/90000\r\n"));
  EXPECT_TRUE(planAnswer(av1, branch("AV1")).plan);
}

TEST(AnswerPlanCodecs, MissingCodecNamesBothSides) {
  const auto offer = parse(videoOffer("98", "a=rtpmap:98 H264/90000\r\n"
                                            "a=fmtp:98 packetization-mode=1;profile-level-id=42e01f\r\n"));
  const auto result = planAnswer(offer, branch("VP8"));
  EXPECT_EQ(result.error, PlanError::kNoCommonCodec);
  EXPECT_NE(result.reason.find("H264"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("framewire sends VP8"), std::string::npos) << result.reason;
}

TEST(AnswerPlanCodecs, WrongClockRateIsNotTheCodec) {
  const auto offer = parse(videoOffer("96", "a=rtpmap:96 VP8/48000\r\n"));
  EXPECT_EQ(planAnswer(offer, branch("VP8")).error, PlanError::kNoCommonCodec);
}

}  // namespace
}  // namespace framewire::transport::webrtc
