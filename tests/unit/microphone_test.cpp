// The viewer's microphone: its settings (bad values name the key and what is valid), the
// one-speaker-at-a-time slot, and which offers the answer takes a microphone from.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config_args.hpp"
#include "sdp_chromium_offers.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/microphone_plan.hpp"
#include "transport/webrtc/microphone_slot.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"

namespace framewire {
namespace {

using transport::webrtc::AnswerPlan;
using transport::webrtc::MicrophoneSlot;
using transport::webrtc::SessionDescription;

using config::test_args::errorOf;
using config::test_args::load;

TEST(MicrophoneConfig, OffByDefaultAndSetByFlagOrYaml) {
  const auto d = load({});
  EXPECT_FALSE(d.audio.microphone);
  EXPECT_EQ(d.audio.microphone_sink, "");
  const auto c = load({"--microphone", "true", "--microphone-sink", "fw_mic"});
  EXPECT_TRUE(c.audio.microphone);
  EXPECT_EQ(c.audio.microphone_sink, "fw_mic");
  config::Config y;
  config::applyYaml(y, "microphone: true\nmicrophone-sink: alsa_output.usb-1.analog-stereo\n",
                    "t.yaml");
  EXPECT_TRUE(y.audio.microphone);
  EXPECT_EQ(y.audio.microphone_sink, "alsa_output.usb-1.analog-stereo");
}

TEST(MicrophoneConfig, BadValuesNameTheSettingAndWhatIsValid) {
  EXPECT_EQ(errorOf({"--microphone", "yes"}),
            "--microphone: 'yes' is not valid: must be one of true, false");
  EXPECT_EQ(errorOf({"--microphone-sink", "my sink"}),
            "--microphone-sink: 'my sink' is not valid: a sink name has no spaces, quotes, '!' "
            "or control characters");
  EXPECT_NE(errorOf({"--microphone-sink", "a!b"}).find("--microphone-sink: 'a!b'"),
            std::string::npos);
  config::Config y;
  try {
    config::applyYaml(y, "microphone: 1\n", "t.yaml");
    FAIL() << "accepted microphone: 1";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "microphone in t.yaml: '1' is not valid: must be one of true, false");
  }
}

TEST(MicrophoneConfig, FuzzedSinkNamesNeverEscapeAsOtherErrors) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string value(rng() % 12, '\0');
    for (auto& ch : value) ch = static_cast<char>(1 + rng() % 127);
    try {
      const auto c = load({"--microphone-sink=" + value});
      EXPECT_EQ(c.audio.microphone_sink, value);
    } catch (const config::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--microphone-sink"), std::string::npos) << e.what();
    }
  }
}

TEST(MicrophoneSlot, OneSpeakerAtATime) {
  MicrophoneSlot slot(2'000'000);
  EXPECT_EQ(slot.take("a", 0), MicrophoneSlot::Take::kClaimed);
  EXPECT_EQ(slot.take("a", 20'000), MicrophoneSlot::Take::kHeld);
  EXPECT_EQ(slot.take("b", 40'000), MicrophoneSlot::Take::kBusy);
  EXPECT_EQ(slot.holder(), "a");
  // a goes silent (its microphone switched off in the page): b may take over after 2 s
  EXPECT_EQ(slot.take("b", 1'500'000), MicrophoneSlot::Take::kBusy);
  EXPECT_EQ(slot.take("b", 2'100'000), MicrophoneSlot::Take::kClaimed);
  EXPECT_EQ(slot.holder(), "b");
  EXPECT_FALSE(slot.release("a"));  // not the holder: nothing changes
  EXPECT_EQ(slot.holder(), "b");
  EXPECT_TRUE(slot.release("b"));
  EXPECT_EQ(slot.holder(), "");
  EXPECT_EQ(slot.take("a", 2'200'000), MicrophoneSlot::Take::kClaimed);
  EXPECT_EQ(slot.claims(), 3u);
}

SessionDescription parse(const std::string& text) {
  auto result = transport::webrtc::parseSdp(text);
  EXPECT_TRUE(result.description) << result.error;
  return result.description.value_or(SessionDescription{});
}

AnswerPlan plan(const SessionDescription& offer) {
  transport::webrtc::ServerVideoCodec server;
  server.profile_level_id = *transport::webrtc::parseProfileLevelId("42e01f");
  auto result = transport::webrtc::planAnswer(offer, server);
  EXPECT_TRUE(result.plan) << result.reason;
  return result.plan.value_or(AnswerPlan{});
}

// Chromium's audio+video offer with its audio transceiver sendrecv (a microphone attached).
std::string withAudioDirection(const std::string& direction) {
  std::string text = test::kChromiumAudioVideoOffer;
  const auto at = text.find("a=recvonly");  // the audio section's (it comes first)
  text.replace(at, 10, "a=" + direction);
  return text;
}

TEST(MicrophonePlan, SendrecvOfferWithServerAudioReceivesToo) {
  const auto offer = parse(withAudioDirection("sendrecv"));
  auto p = plan(offer);
  transport::webrtc::planAudio(p, offer, {});
  ASSERT_TRUE(p.audio);
  transport::webrtc::planMicrophone(p, offer);
  EXPECT_TRUE(p.audio->send);
  EXPECT_TRUE(p.audio->receive);
  EXPECT_EQ(p.audio->payload_type, 111);
  EXPECT_STREQ(transport::webrtc::answerDirection(*p.audio), "sendrecv");
}

TEST(MicrophonePlan, RecvonlyOfferStaysSendonly) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  auto p = plan(offer);
  transport::webrtc::planAudio(p, offer, {});
  transport::webrtc::planMicrophone(p, offer);
  ASSERT_TRUE(p.audio);
  EXPECT_FALSE(p.audio->receive);
  EXPECT_STREQ(transport::webrtc::answerDirection(*p.audio), "sendonly");
}

TEST(MicrophonePlan, WithoutServerAudioTheMicrophoneIsReceiveOnly) {
  for (const char* direction : {"sendrecv", "sendonly"}) {
    const auto offer = parse(withAudioDirection(direction));
    auto p = plan(offer);
    ASSERT_EQ(p.rejected, (std::vector<std::size_t>{0}));
    transport::webrtc::planMicrophone(p, offer);
    ASSERT_TRUE(p.audio) << direction;
    EXPECT_FALSE(p.audio->send);
    EXPECT_TRUE(p.audio->receive);
    EXPECT_EQ(p.audio->codec.encoding, "OPUS");
    EXPECT_EQ(p.audio->payload_type, 111);
    EXPECT_TRUE(p.rejected.empty());
    EXPECT_STREQ(transport::webrtc::answerDirection(*p.audio), "recvonly");
    // webrtcbin negotiates both sections; the agent offer keeps the client's direction.
    const auto agent = parse(transport::webrtc::agentOffer(offer, p));
    ASSERT_EQ(agent.media.size(), 2u);
    EXPECT_EQ(agent.media[0].direction, direction);
  }
  // A receive-only offer, or one without Opus, has no microphone to take.
  const auto recvonly = parse(test::kChromiumAudioVideoOffer);
  auto q = plan(recvonly);
  transport::webrtc::planMicrophone(q, recvonly);
  EXPECT_FALSE(q.audio);
  std::string no_opus = withAudioDirection("sendrecv");
  no_opus.replace(no_opus.find("opus/48000/2"), 12, "L16/48000/2");
  const auto offer = parse(no_opus);
  auto r = plan(offer);
  transport::webrtc::planMicrophone(r, offer);
  EXPECT_FALSE(r.audio);
  EXPECT_EQ(r.rejected, (std::vector<std::size_t>{0}));
}

}  // namespace
}  // namespace framewire
