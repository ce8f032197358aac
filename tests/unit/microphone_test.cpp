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
  // A receive-only offer has no microphone to take.
  const auto recvonly = parse(test::kChromiumAudioVideoOffer);
  auto q = plan(recvonly);
  std::string declined;
  transport::webrtc::planMicrophone(q, recvonly, &declined);
  EXPECT_FALSE(q.audio);
  EXPECT_EQ(declined, "");
}

// The offer's audio section (Chromium's, the first m-line) cut down to the payload types of
// `codecs`, sending: what setCodecPreferences makes of a microphone's transceiver.
std::string sendingOnly(const std::string& formats) {
  std::string text = withAudioDirection("sendrecv");
  const auto at = text.find("m=audio 9 UDP/TLS/RTP/SAVPF ");
  const auto end = text.find('\n', at);
  text.replace(at, end - at, "m=audio 9 UDP/TLS/RTP/SAVPF " + formats);
  return text;
}

TEST(MicrophonePlan, WithoutOpusTheMicrophoneIsG722ThenPcmuThenPcma) {
  struct Case {
    const char* formats;
    const char* encoding;
    int payload_type;
  };
  for (const Case c : {Case{"0", "PCMU", 0}, Case{"8", "PCMA", 8}, Case{"9", "G722", 9},
                       Case{"8 0 9", "G722", 9}, Case{"8 0", "PCMU", 0},
                       Case{"8 111", "OPUS", 111}}) {
    const auto offer = parse(sendingOnly(c.formats));
    auto p = plan(offer);
    // The server's Opus does not fit a section without it: nothing planned to send ...
    transport::webrtc::planAudio(p, offer, {});
    if (std::string(c.encoding) != "OPUS") ASSERT_FALSE(p.audio) << c.formats;
    std::string declined;
    transport::webrtc::planMicrophone(p, offer, &declined);
    // ... and the microphone is received in a codec the player decodes.
    ASSERT_TRUE(p.audio) << c.formats;
    EXPECT_EQ(p.audio->codec.encoding, c.encoding) << c.formats;
    EXPECT_EQ(p.audio->payload_type, c.payload_type) << c.formats;
    EXPECT_TRUE(p.audio->receive);
    EXPECT_EQ(declined, "");
    if (std::string(c.encoding) != "OPUS") {
      EXPECT_EQ(p.audio->codec.clock_rate, 8000);
      EXPECT_STREQ(transport::webrtc::answerDirection(*p.audio), "recvonly");
      // the agent offer (webrtcbin's side) keeps the one codec
      const auto agent = parse(transport::webrtc::agentOffer(offer, p));
      EXPECT_EQ(agent.media[0].formats, (std::vector<std::string>{std::to_string(c.payload_type)}));
    }
  }
}

TEST(MicrophonePlan, AMicrophoneInNoCodecThePlayerDecodesIsDeclinedWithAReason) {
  std::string odd = sendingOnly("111");
  odd.replace(odd.find("opus/48000/2"), 12, "L16/48000/2");
  const auto offer = parse(odd);
  auto p = plan(offer);
  std::string declined;
  transport::webrtc::planMicrophone(p, offer, &declined);
  EXPECT_FALSE(p.audio);
  EXPECT_EQ(p.rejected, (std::vector<std::size_t>{0}));  // answered with port 0
  EXPECT_EQ(declined,
            "the viewer's microphone offers L16; framewire plays Opus, G.722, PCMU or PCMA: its "
            "audio section is declined");
}

}  // namespace
}  // namespace framewire
