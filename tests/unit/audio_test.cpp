// Audio: the settings (every bad value names the key and what is valid), the pipeline
// description per source and codec, the WHEP plan and the SDP rewrites with an audio section,
// and the Direct audio framing.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config_args.hpp"
#include "media/audio/audio_description.hpp"
#include "media/audio/capture_offset.hpp"
#include "sdp_chromium_offers.hpp"
#include "transport/direct/direct_framing.hpp"
#include "transport/webrtc/answer_plan.hpp"
#include "transport/webrtc/sdp_rewrite.hpp"

namespace framewire {
namespace {

using config::test_args::errorOf;
using config::test_args::load;

TEST(AudioConfig, Defaults) {
  const auto c = load({});
  EXPECT_EQ(c.audio.source, "auto");
  EXPECT_EQ(c.audio.codec, "opus");
  EXPECT_EQ(c.audio.bitrate_kbps, 64);
  EXPECT_EQ(c.audio.frame_ms, 10);
  EXPECT_EQ(config::effectiveAudioSource(c.audio, "test"), "test");
  EXPECT_EQ(config::effectiveAudioSource(c.audio, "x11"), "none");
  auto pulse = c.audio;
  pulse.source = "pulse";
  EXPECT_EQ(config::effectiveAudioSource(pulse, "x11"), "pulse");
}

TEST(AudioConfig, FlagsAndYaml) {
  const auto c = load({"--audio-source", "pulse", "--audio-device", "null.monitor",
                       "--audio-bitrate", "96", "--audio-frame-ms", "20", "--audio-codec",
                       "pcmu"});
  EXPECT_EQ(c.audio.source, "pulse");
  EXPECT_EQ(c.audio.device, "null.monitor");
  EXPECT_EQ(c.audio.bitrate_kbps, 96);
  EXPECT_EQ(c.audio.frame_ms, 20);
  EXPECT_EQ(c.audio.codec, "pcmu");
  config::Config y;
  config::applyYaml(y, "audio_source: alsa\naudio-device: hw:1,0\naudio-bitrate: 32\n", "t.yaml");
  EXPECT_EQ(y.audio.source, "alsa");
  EXPECT_EQ(y.audio.device, "hw:1,0");
  EXPECT_EQ(y.audio.bitrate_kbps, 32);
}

TEST(AudioConfig, BadValuesNameTheSettingAndWhatIsValid) {
  auto e = errorOf({"--audio-source", "jack"});
  EXPECT_NE(e.find("--audio-source"), std::string::npos) << e;
  EXPECT_NE(e.find("test, pulse, alsa, pipewire, none"), std::string::npos) << e;
  e = errorOf({"--audio-frame-ms", "5"});
  EXPECT_NE(e.find("--audio-frame-ms"), std::string::npos) << e;
  EXPECT_NE(e.find("10, 20"), std::string::npos) << e;
  e = errorOf({"--audio-bitrate", "1000"});
  EXPECT_NE(e.find("--audio-bitrate"), std::string::npos) << e;
  EXPECT_NE(e.find("6"), std::string::npos) << e;
  e = errorOf({"--audio-codec", "aac"});
  EXPECT_NE(e.find("opus, pcmu, pcma, g722"), std::string::npos) << e;
  e = errorOf({"--audio-device", "x ! filesink location=/etc/passwd"});
  EXPECT_NE(e.find("--audio-device"), std::string::npos) << e;
  e = errorOf({"--audio-pipeline", "audiotestsrc ! appsink"});
  EXPECT_NE(e.find("--audio-pipeline"), std::string::npos) << e;
}

// Random bytes and mutations of valid values: every outcome is a value or a ConfigError.
TEST(AudioConfig, FuzzedValuesNeverEscapeAsOtherErrors) {
  std::mt19937 rng(9);
  const std::vector<std::string> keys{"--audio-source", "--audio-device", "--audio-codec",
                                      "--audio-bitrate", "--audio-frame-ms"};
  const std::vector<std::string> seeds{"pulse", "10", "64", "opus", "alsa_input.monitor"};
  for (int i = 0; i < 2000; ++i) {
    std::string value = seeds[rng() % seeds.size()];
    const int edits = static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const auto pos = value.empty() ? 0 : rng() % value.size();
      if (rng() % 2 && !value.empty()) {
        value[pos] = static_cast<char>(rng() % 256);
      } else {
        value.insert(value.begin() + static_cast<long>(pos), static_cast<char>(rng() % 256));
      }
    }
    try {
      load({keys[rng() % keys.size()], value});
    } catch (const config::ConfigError&) {
    }
  }
}

TEST(AudioDescription, SourcesAndCodecs) {
  config::AudioSettings a;
  auto plan = media::describeAudio(a, "test");
  EXPECT_NE(plan.description.find("audiotestsrc is-live=true"), std::string::npos);
  EXPECT_NE(plan.description.find("samplesperbuffer=480"), std::string::npos);
  EXPECT_NE(plan.description.find("opusenc name=encoder bitrate=64000 frame-size=10 "
                                  "audio-type=restricted-lowdelay"),
            std::string::npos)
      << plan.description;
  EXPECT_NE(plan.description.find("appsink name=audio_sink"), std::string::npos);
  EXPECT_EQ(plan.format.rtp_encoding, "OPUS");
  EXPECT_EQ(plan.format.channels, 2);

  a.device = "null.monitor";
  plan = media::describeAudio(a, "pulse");
  EXPECT_NE(plan.description.find("pulsesrc device=null.monitor latency-time=10000"),
            std::string::npos)
      << plan.description;
  a.device.clear();
  plan = media::describeAudio(a, "pulse");
  EXPECT_EQ(plan.description.find("device="), std::string::npos) << plan.description;

  a.codec = "pcma";
  plan = media::describeAudio(a, "alsa");
  EXPECT_NE(plan.description.find("alsasrc"), std::string::npos);
  EXPECT_NE(plan.description.find("rate=8000,channels=1 ! alawenc"), std::string::npos);
  EXPECT_EQ(plan.format.rtp_encoding, "PCMA");
  a.codec = "g722";
  EXPECT_EQ(media::audioFormatFor(a).rtp_clock_rate, 8000);  // RFC 3551, at 16 kHz sampling
  EXPECT_EQ(media::audioFormatFor(a).sample_rate, 16000);

  a.codec = "opus";
  a.device = "hw:2";
  a.pipeline = "alsasrc device={device} ! audio/x-raw,rate=44100";
  plan = media::describeAudio(a, "alsa");
  EXPECT_EQ(plan.description.rfind("alsasrc device=hw:2 ! audio/x-raw,rate=44100 ! audioconvert", 0),
            0u)
      << plan.description;
}

TEST(AudioDescription, TestBurstsAtKnownTimes) {
  config::AudioSettings a;
  EXPECT_EQ(load({}).audio.test_signal, "tone");
  EXPECT_FALSE(media::describeAudio(a, "test").burst);
  a.test_signal = load({"--audio-test-signal", "burst"}).audio.test_signal;
  auto plan = media::describeAudio(a, "test");
  EXPECT_TRUE(plan.burst);
  // silence, one frame per buffer, in the format the engine writes the bursts into
  // (test_burst.hpp; the pattern is tested in audio_burst_test.cpp)
  EXPECT_NE(plan.description.find("audiotestsrc name=burst_source is-live=true wave=silence "
                                  "samplesperbuffer=480 ! audio/x-raw,format=S16LE,rate=48000,"
                                  "channels=1 !"),
            std::string::npos)
      << plan.description;
  // only the test source makes bursts
  EXPECT_FALSE(media::describeAudio(a, "pulse").burst);
  a.pipeline = "audiotestsrc is-live=true";
  EXPECT_FALSE(media::describeAudio(a, "test").burst);
  const auto e = errorOf({"--audio-test-signal", "chirp"});
  EXPECT_NE(e.find("--audio-test-signal"), std::string::npos) << e;
  EXPECT_NE(e.find("tone, burst"), std::string::npos) << e;
}

// A device's capture times come from when its buffers arrive: the earliest arrival bounds when
// the sound was captured; late deliveries (a busy machine) do not move it.
TEST(CaptureOffset, TheEarliestArrivalMapsPtsToTheWallClock) {
  media::CaptureOffset o(2'000'000);
  EXPECT_FALSE(o.offset());
  const std::int64_t wall0 = 1'700'000'000'000'000;  // wall time of PTS 0
  // 10 ms buffers delivered 1-30 ms after their last sample; one at exactly its end
  const std::int64_t delays[] = {30'000, 12'000, 1'000, 25'000, 0, 8'000, 90'000, 4'000};
  for (int i = 0; i < 8; ++i) {
    const std::int64_t pts = i * 10'000;
    o.observe(pts, 10'000, wall0 + pts + 10'000 + delays[i]);
  }
  EXPECT_EQ(*o.offset(), wall0);
  // The device clock drifts 1 ms later over a few seconds: the old minimum ages out of the
  // window, the new mapping takes over.
  for (int i = 8; i < 400; ++i) {
    const std::int64_t pts = i * 10'000;
    o.observe(pts, 10'000, wall0 + 1'000 + pts + 10'000 + (i % 7) * 3'000);
  }
  EXPECT_EQ(*o.offset(), wall0 + 1'000);
  // A new timeline (PTS back to 0) starts over at once.
  o.observe(0, 10'000, wall0 + 5'000'000 + 10'000 + 2'000);
  EXPECT_EQ(*o.offset(), wall0 + 5'000'000 + 2'000);
}

TEST(AudioDescription, DevicesGetMeasuredCaptureTimes) {
  config::AudioSettings a;
  EXPECT_FALSE(media::describeAudio(a, "test").measured_capture);
  for (const char* source : {"pulse", "alsa", "pipewire"}) {
    const auto plan = media::describeAudio(a, source);
    EXPECT_TRUE(plan.measured_capture) << source;
    EXPECT_NE(plan.description.find(" ! audioconvert name=capture_end ! "), std::string::npos)
        << plan.description;
  }
  a.pipeline = "pulsesrc device={device}";
  EXPECT_TRUE(media::describeAudio(a, "test").measured_capture);
}

using transport::webrtc::AnswerPlan;
using transport::webrtc::SessionDescription;

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

TEST(AudioPlan, ChromiumOfferGetsOpus) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  auto p = plan(offer);
  EXPECT_EQ(p.rejected, (std::vector<std::size_t>{0}));  // audio, until planAudio
  transport::webrtc::planAudio(p, offer, {});
  ASSERT_TRUE(p.audio);
  EXPECT_EQ(p.audio->index, 0u);
  EXPECT_EQ(p.audio->mid, "0");
  EXPECT_EQ(p.audio->payload_type, 111);
  EXPECT_TRUE(p.rejected.empty());
}

TEST(AudioPlan, G711AndMissingCodec) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  auto p = plan(offer);
  transport::webrtc::planAudio(p, offer, {"PCMU", 8000, 1});
  ASSERT_TRUE(p.audio);
  EXPECT_EQ(p.audio->payload_type, 0);
  auto q = plan(offer);
  transport::webrtc::planAudio(q, offer, {"AAC", 48000, 2});
  EXPECT_FALSE(q.audio);
  EXPECT_EQ(q.rejected, (std::vector<std::size_t>{0}));
  const auto video_only = parse(test::kChromiumVideoOnlyOffer);
  auto r = plan(video_only);
  transport::webrtc::planAudio(r, video_only, {});
  EXPECT_FALSE(r.audio);
}

// What webrtcbin answers to the two-section agent offer (GStreamer 1.22's shape).
const char* kAgentAnswerWithAudio =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-options:trickle\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
    "a=fingerprint:sha-256 11:22\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 OPUS/48000/2\r\na=ssrc:42 cname:x\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 108 109\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:srv\r\na=ice-pwd:serverpassword0123456789\r\na=setup:active\r\n"
    "a=fingerprint:sha-256 11:22\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:108 H264/90000\r\na=rtpmap:109 rtx/90000\r\na=fmtp:109 apt=108\r\n";

TEST(AudioRewrite, AgentOfferAndFinalAnswerCarryBothSections) {
  const auto offer = parse(test::kChromiumAudioVideoOffer);
  auto p = plan(offer);
  transport::webrtc::planAudio(p, offer, {});
  const auto agent = parse(transport::webrtc::agentOffer(offer, p));
  ASSERT_EQ(agent.media.size(), 2u);
  EXPECT_EQ(agent.media[0].media, "audio");
  EXPECT_EQ(agent.media[0].formats, (std::vector<std::string>{"111"}));
  EXPECT_EQ(agent.media[0].rtpmaps.size(), 1u);
  EXPECT_FALSE(agent.media[0].attribute("extmap"));
  EXPECT_FALSE(agent.media[0].attribute("rtcp-fb"));
  EXPECT_EQ(agent.media[1].media, "video");
  EXPECT_EQ(agent.bundleMids(), (std::vector<std::string>{"0", "1"}));

  transport::webrtc::AnswerExtras extras;
  extras.candidates = {"candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host"};
  extras.gathering_complete = true;
  std::string error;
  const auto text =
      transport::webrtc::finalAnswer(offer, p, parse(kAgentAnswerWithAudio), extras, &error);
  ASSERT_TRUE(text) << error;
  const auto answer = parse(*text);
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[0].media, "audio");
  EXPECT_NE(answer.media[0].port, 0);
  EXPECT_EQ(answer.media[0].direction, "sendonly");
  EXPECT_EQ(answer.media[0].rtpmaps.at(111).encoding, "OPUS");
  EXPECT_EQ(*answer.media[0].attribute("candidate"),
            "1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  EXPECT_EQ(answer.media[1].media, "video");
  EXPECT_EQ(answer.media[1].direction, "sendonly");
  EXPECT_EQ(answer.bundleMids(), (std::vector<std::string>{"0", "1"}));
  // webrtcbin answered one section only: refused, not guessed.
  const auto one = parse(
      "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 108\r\na=mid:1\r\na=rtpmap:108 H264/90000\r\n");
  EXPECT_FALSE(transport::webrtc::finalAnswer(offer, p, one, extras, &error));
}

TEST(AudioFraming, HeaderAndAnnouncement) {
  const auto h = transport::direct::encodeAudioHeader(0x0102030405060708LL);
  EXPECT_EQ(h[0], transport::direct::kAudioMessage);
  EXPECT_EQ(h[1], 0);
  EXPECT_EQ(h[2], 0x01);
  EXPECT_EQ(h[9], 0x08);
  // Not a video message: video readers skip it.
  EXPECT_FALSE(transport::direct::decodeVideoHeader(h));
  const auto hello = transport::direct::audioHelloMessage({"opus", 48000, 2, 10});
  EXPECT_NE(hello.find(R"("type":"audio")"), std::string::npos) << hello;
  EXPECT_NE(hello.find(R"("numberOfChannels":2)"), std::string::npos) << hello;
  EXPECT_NE(hello.find(R"("sampleRate":48000)"), std::string::npos) << hello;
}

}  // namespace
}  // namespace framewire
