// audio-test-signal burst's pattern (media/audio/test_burst.hpp): a burst at every whole second
// and its marker, whose distance codes the burst's index mod 5; and the sample-exact timeline
// that pipewiresrc's buffers (no duration) are restamped on (media/audio/sample_timeline.hpp).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "media/audio/audio_description.hpp"
#include "media/audio/sample_timeline.hpp"
#include "media/audio/test_burst.hpp"

namespace framewire::media {
namespace {

constexpr std::int64_t kRate = TestBurst::kSampleRate;
constexpr std::int64_t kLength = kRate * TestBurst::kLengthMs / 1000;

// Where the sound is in the first `seconds`: the first sample of each tone (a sine from phase
// 0: its first sample is 0, the next is not) after at least 10 ms of silence.
std::vector<std::int64_t> onsets(int seconds) {
  std::vector<std::int64_t> out;
  std::int64_t quiet = kRate;
  for (std::int64_t n = 0; n < kRate * seconds; ++n) {
    if (testBurstSample(n) != 0.0 || testBurstSample(n + 1) != 0.0) {
      if (quiet >= kRate / 100) out.push_back(n);
      quiet = 0;
    } else {
      ++quiet;
    }
  }
  return out;
}

TEST(TestBurst, ABurstEverySecondAndAMarkerCodingItsIndex) {
  const auto found = onsets(10);
  ASSERT_EQ(found.size(), 20u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(found[2 * i], i * kRate) << "burst " << i;
    const int code = i % TestBurst::kCodes;
    EXPECT_EQ(testBurstCode(i), code);
    EXPECT_EQ(found[2 * i + 1], i * kRate + kRate * (300 + 40 * code) / 1000) << "marker " << i;
  }
  // a marker always before half a period, the next burst after it
  EXPECT_LT(testBurstMarkerMs(TestBurst::kCodes - 1) + TestBurst::kLengthMs,
            TestBurst::kPeriodMs / 2);
  EXPECT_GE(testBurstMarkerMs(0), 300);  // after Opus's ~210 ms of full-size packets
}

TEST(TestBurst, EachToneIsTwentyMillisecondsOfOneKilohertzFromPhaseZero) {
  for (std::int64_t start : {std::int64_t{0}, 3 * kRate + kRate * 420 / 1000}) {  // burst 3's marker: 420 ms
    EXPECT_EQ(testBurstSample(start), 0.0);
    EXPECT_GT(testBurstSample(start + 1), 0.05);  // a detector's threshold at the second sample
    double peak = 0;
    int crossings = 0;
    for (std::int64_t n = start; n < start + kLength; ++n) {
      peak = std::max(peak, std::abs(testBurstSample(n)));
      if (n > start && (testBurstSample(n - 1) < 0) != (testBurstSample(n) < 0)) ++crossings;
    }
    EXPECT_NEAR(peak, TestBurst::kAmplitude, 1e-3);
    EXPECT_NEAR(crossings, 2 * TestBurst::kFrequencyHz * TestBurst::kLengthMs / 1000, 1);
    EXPECT_EQ(testBurstSample(start + kLength), 0.0);
  }
  EXPECT_EQ(testBurstSample(-5), 0.0);
}

TEST(TestBurst, BuffersOfAnySizeWriteTheSamePattern) {
  std::mt19937 rng(9);
  std::vector<std::int16_t> whole(3 * kRate);
  writeTestBurst(0, whole.data(), whole.size());
  std::vector<std::int16_t> pieces;
  std::int64_t at = 0;
  while (at < 3 * kRate) {
    const auto n = std::min<std::int64_t>(1 + rng() % 1500, 3 * kRate - at);
    std::vector<std::int16_t> part(n);
    writeTestBurst(at, part.data(), part.size());
    pieces.insert(pieces.end(), part.begin(), part.end());
    at += n;
  }
  EXPECT_EQ(pieces, whole);
  EXPECT_EQ(whole[kRate + 1], static_cast<std::int16_t>(std::lround(testBurstSample(kRate + 1) * 32767)));
}

TEST(SampleTimeline, BytesPerSample) {
  EXPECT_EQ(audioBytesPerSample("S16LE"), 2);
  EXPECT_EQ(audioBytesPerSample("F32LE"), 4);
  EXPECT_EQ(audioBytesPerSample("S24LE"), 3);
  EXPECT_EQ(audioBytesPerSample("S24_32LE"), 4);
  EXPECT_EQ(audioBytesPerSample("U8"), 1);
  EXPECT_EQ(audioBytesPerSample("F64BE"), 8);
  EXPECT_EQ(audioBytesPerSample(""), 0);
  EXPECT_EQ(audioBytesPerSample("encoded"), 0);
}

// Buffers arriving with jitter get contiguous, sample-exact timestamps from the first arrival.
TEST(SampleTimeline, JitteryArrivalsBecomeContiguous) {
  SampleTimeline t;
  const std::int64_t frame_ns = 5'333'333;  // 256 samples at 48 kHz
  auto s = t.next(256, 48000, 100'000'000);
  EXPECT_EQ(s.pts_ns, 100'000'000 - frame_ns);
  EXPECT_EQ(s.duration_ns, frame_ns);
  std::mt19937 rng(3);
  std::int64_t end = s.pts_ns + s.duration_ns;
  for (int i = 1; i < 2000; ++i) {
    const std::int64_t arrival = 100'000'000 + i * frame_ns + static_cast<std::int64_t>(rng() % 8'000'000);
    s = t.next(256, 48000, arrival);
    EXPECT_NEAR(static_cast<double>(s.pts_ns), static_cast<double>(end), 1.0) << i;
    end = s.pts_ns + s.duration_ns;
  }
  // sample-exact over the run: 2000 × 256 samples after the origin
  EXPECT_EQ(end, 100'000'000 - frame_ns + 2000LL * 256 * 1'000'000'000 / 48000);
  // no PTS at all: from 0
  SampleTimeline none;
  EXPECT_EQ(none.next(480, 48000, std::nullopt).pts_ns, 0);
  EXPECT_EQ(none.next(480, 48000, std::nullopt).pts_ns, 10'000'000);
}

// Samples PipeWire never delivered (an xrun): a buffer arriving far past its restamped end starts
// the timeline again at its arrival, so capture times do not fall behind the sound.
TEST(SampleTimeline, ALongGapStartsAgainFromTheArrival) {
  SampleTimeline t;
  t.next(480, 48000, 10'000'000);
  t.next(480, 48000, 20'000'000);
  auto s = t.next(480, 48000, 30'000'000 + 150'000'000);  // 150 ms late: within the slack
  EXPECT_EQ(s.pts_ns, 20'000'000);
  s = t.next(480, 48000, 40'000'000 + 500'000'000);  // 500 ms of samples lost
  EXPECT_EQ(s.pts_ns, 530'000'000);
  EXPECT_EQ(t.next(480, 48000, 550'000'000).pts_ns, 540'000'000);
  // a rate change starts again too
  EXPECT_EQ(t.next(441, 44100, 560'000'000).pts_ns, 550'000'000);
  // weeks of samples do not overflow
  SampleTimeline longRun;
  longRun.next(0, 48000, std::nullopt);
  const std::int64_t weeks = 48000LL * 3600 * 24 * 21;
  EXPECT_EQ(longRun.next(weeks, 48000, std::nullopt).pts_ns, 0);
  EXPECT_EQ(longRun.next(480, 48000, std::nullopt).pts_ns, 3600LL * 24 * 21 * 1'000'000'000);
}

TEST(AudioDescription, PipeWireAsksForOneFramePerCycle) {
  config::AudioSettings a;
  a.device = "fwsrc";
  auto plan = describeAudio(a, "pipewire");
  EXPECT_NE(plan.description.find("pipewiresrc target-object=fwsrc do-timestamp=true "
                                  "client-name=framewire "
                                  "stream-properties=\"props,node.latency=(string)480/48000\" ! "
                                  "audio/x-raw,channels=2 ! audioconvert name=capture_end"),
            std::string::npos)
      << plan.description;
  EXPECT_TRUE(plan.measured_capture);
  // a sink's monitor, by PulseAudio's name for it
  a.device = "alsa_output.pci.analog-stereo.monitor";
  plan = describeAudio(a, "pipewire");
  EXPECT_NE(plan.description.find("pipewiresrc target-object=alsa_output.pci.analog-stereo "
                                  "do-timestamp=true client-name=framewire "
                                  "stream-properties=\"props,node.latency=(string)480/48000,"
                                  "stream.capture.sink=(string)true\""),
            std::string::npos)
      << plan.description;
  a.frame_ms = 20;
  a.codec = "pcmu";
  a.device.clear();
  plan = describeAudio(a, "pipewire");
  EXPECT_NE(plan.description.find("pipewiresrc do-timestamp=true client-name=framewire "
                                  "stream-properties=\"props,node.latency=(string)960/48000\" ! "
                                  "audio/x-raw,channels=1 !"),
            std::string::npos)
      << plan.description;
}

}  // namespace
}  // namespace framewire::media
