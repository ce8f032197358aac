// MediaEngine against real GStreamer: the test source, x264enc and jpegenc, decoded back with
// avdec_h264 and jpegdec, the latency stamp read from the decoded pixels.

#include "media/media_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "core/clock.hpp"
#include "core/latency_stamp.hpp"
#include "decode_helpers.hpp"

namespace framewire::media {
namespace {

using namespace std::chrono_literals;
using testing::decodeH264;
using testing::decodeJpeg;
using testing::nalTypes;

config::Config smallConfig() {
  config::Config config;
  config.width = 640;
  config.height = 360;
  config.fps = 30;
  config.bitrate_kbps = 1500;
  config.gop = 0;
  config.jpeg_fps = 30;
  config.linger_seconds = 0.5;
  return config;
}

bool contains(const std::vector<int>& types, int type) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool hasSpsPpsIdr(const core::EncodedFrame& frame) {
  const auto types = nalTypes(frame);
  return contains(types, 7) && contains(types, 8) && contains(types, 5);
}

// Pops everything the subscription receives for `duration`.
std::vector<core::FramePtr> collect(bus::Subscription& subscription,
                                    std::chrono::milliseconds duration) {
  std::vector<core::FramePtr> frames;
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    while (auto frame = subscription.pop()) frames.push_back(frame);
    std::this_thread::sleep_for(2ms);
  }
  return frames;
}

// Polls `condition` until it holds or `timeout` passes.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

BranchState branch(const MediaState& state, const std::string& id) {
  for (const auto& b : state.branches) {
    if (b.id == id) return b;
  }
  ADD_FAILURE() << "no branch " << id;
  return {};
}

TEST(MediaEngine, H264DecodesAndStampReadsBack) {
  MediaEngine engine(smallConfig());
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  const auto frames = collect(*subscription, 1500ms);
  engine.h264Bus().unsubscribe(subscription);

  ASSERT_GE(frames.size(), 25u);
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_TRUE(hasSpsPpsIdr(*frames.front())) << "first frame lacks SPS/PPS/IDR";
  for (const auto& frame : frames) {
    EXPECT_EQ(frame->codec, core::Codec::kH264);
    EXPECT_EQ(frame->width, 640);
    EXPECT_EQ(frame->height, 360);
    EXPECT_GT(frame->capture_us, 0);
    EXPECT_GE(frame->encode_start_us, frame->capture_us);
    EXPECT_GE(frame->encoded_us, frame->encode_start_us);
    if (frame->keyframe) {
      EXPECT_TRUE(hasSpsPpsIdr(*frame));
    }
  }
  for (std::size_t i = 1; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i]->sequence, frames[i - 1]->sequence + 1);
    EXPECT_GT(frames[i]->pts_ns, frames[i - 1]->pts_ns);
  }

  std::map<std::int64_t, core::FramePtr> by_pts;
  for (const auto& frame : frames) by_pts[frame->pts_ns] = frame;
  const auto pictures = decodeH264(frames);
  ASSERT_GE(pictures.size(), frames.size() * 9 / 10);
  std::size_t stamped = 0;
  for (const auto& picture : pictures) {
    EXPECT_EQ(picture.width, 640);
    EXPECT_EQ(picture.height, 360);
    if (!picture.stamp) continue;
    ++stamped;
    const auto source = by_pts.find(picture.pts_ns);
    ASSERT_NE(source, by_pts.end());
    // The pixels carry exactly the capture time the frame reports...
    EXPECT_EQ(*picture.stamp, core::stampValueFor(source->second->capture_us));
    // ...and read against the encode time give a plausible latency.
    const std::int64_t latency =
        core::stampLatencyMicros(*picture.stamp, source->second->encoded_us);
    EXPECT_GE(latency, 0);
    EXPECT_LT(latency, 2'000'000);
  }
  EXPECT_GE(stamped, pictures.size() * 9 / 10);
  EXPECT_GE(branch(engine.state(), "main").frames_in, frames.size());
}

TEST(MediaEngine, KeyframeRequestYieldsIdrWithGopZero) {
  MediaEngine engine(smallConfig());
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  const auto warmup = collect(*subscription, 800ms);
  ASSERT_FALSE(warmup.empty());
  ASSERT_TRUE(warmup.front()->keyframe);

  // GOP 0: once the join's IDR is out, no keyframe comes unasked.
  const auto quiet = collect(*subscription, 700ms);
  ASSERT_GE(quiet.size(), 10u);
  EXPECT_EQ(std::count_if(quiet.begin(), quiet.end(), [](const auto& f) { return f->keyframe; }),
            0);

  // Well past the gate's interval, a request goes straight to the encoder.
  const auto sent_before = engine.h264Bus().stats().keyframe_requests_sent;
  engine.h264Bus().requestKeyframe();
  const auto after = collect(*subscription, 500ms);
  EXPECT_EQ(engine.h264Bus().stats().keyframe_requests_sent, sent_before + 1);
  const auto key =
      std::find_if(after.begin(), after.end(), [](const auto& f) { return f->keyframe; });
  ASSERT_NE(key, after.end()) << "no IDR after a keyframe request";
  EXPECT_LE(key - after.begin(), 4) << "IDR came too late";
  EXPECT_TRUE(hasSpsPpsIdr(**key));
  engine.h264Bus().unsubscribe(subscription);
}

TEST(MediaEngine, NoSubscribersNoEncoding) {
  MediaEngine engine(smallConfig());
  engine.start();
  auto watcher = engine.jpegBus().watch([] {});
  ASSERT_TRUE(waitFor([&] { return engine.jpegBus().framesPublished() >= 10; }, 3000ms));
  auto state = engine.state();
  EXPECT_TRUE(state.capturing);
  EXPECT_EQ(branch(state, "main").frames_in, 0u) << "encoded with nobody watching";
  EXPECT_FALSE(branch(state, "main").encoding);
  EXPECT_TRUE(branch(state, "jpeg").encoding);

  // A subscriber opens the valve; leaving closes it again.
  auto subscription = engine.h264Bus().subscribe([] {});
  ASSERT_FALSE(collect(*subscription, 500ms).empty());
  engine.h264Bus().unsubscribe(subscription);
  std::this_thread::sleep_for(200ms);
  const auto frames_in = branch(engine.state(), "main").frames_in;
  const auto jpeg_out = branch(engine.state(), "jpeg").frames_out;
  EXPECT_GT(frames_in, 0u);
  std::this_thread::sleep_for(700ms);
  state = engine.state();
  EXPECT_EQ(branch(state, "main").frames_in, frames_in) << "encoder kept receiving frames";
  EXPECT_FALSE(branch(state, "main").encoding);
  EXPECT_GT(branch(state, "jpeg").frames_out, jpeg_out + 10) << "JPEG side stopped";
  EXPECT_TRUE(state.capturing);
  engine.jpegBus().unwatch(watcher);
}

TEST(MediaEngine, JpegIsRateCappedAndStamped) {
  auto config = smallConfig();
  config.jpeg_fps = 10;  // a third of the source rate
  MediaEngine engine(config);
  engine.start();
  std::vector<core::FramePtr> taken;
  auto watcher = engine.jpegBus().watch([] {});
  ASSERT_TRUE(waitFor([&] { return engine.jpegBus().framesPublished() >= 1; }, 3000ms));
  const auto published_before = engine.jpegBus().framesPublished();
  const auto end = std::chrono::steady_clock::now() + 2000ms;
  while (std::chrono::steady_clock::now() < end) {
    if (auto frame = watcher->take()) taken.push_back(frame);
    std::this_thread::sleep_for(5ms);
  }
  const auto published = engine.jpegBus().framesPublished() - published_before;
  engine.jpegBus().unwatch(watcher);

  EXPECT_GE(published, 15u);  // 10 fps for 2 s, with scheduling slack
  EXPECT_LE(published, 25u);
  ASSERT_GE(taken.size(), 10u);
  for (const auto& frame : taken) {
    ASSERT_GE(frame->size, 4u);
    EXPECT_EQ(frame->codec, core::Codec::kJpeg);
    EXPECT_TRUE(frame->keyframe);
    EXPECT_EQ(frame->data[0], 0xFF);
    EXPECT_EQ(frame->data[1], 0xD8);
    EXPECT_EQ(frame->data[frame->size - 2], 0xFF);
    EXPECT_EQ(frame->data[frame->size - 1], 0xD9);
  }

  const auto pictures = decodeJpeg(taken);
  ASSERT_EQ(pictures.size(), taken.size());
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    ASSERT_TRUE(pictures[i].stamp.has_value()) << "picture " << i;
    EXPECT_EQ(*pictures[i].stamp, core::stampValueFor(taken[i]->capture_us));
    const auto latency = core::stampLatencyMicros(*pictures[i].stamp, taken[i]->encoded_us);
    EXPECT_GE(latency, 0);
    EXPECT_LT(latency, 2'000'000);
  }
}

TEST(MediaEngine, CaptureStopsAfterLingerAndRestartsOnJoin) {
  MediaEngine engine(smallConfig());  // linger 0.5 s
  engine.start();
  EXPECT_FALSE(engine.state().capturing) << "captured before anyone watched";

  auto watcher = engine.jpegBus().watch([] {});
  ASSERT_TRUE(waitFor([&] { return engine.jpegBus().framesPublished() >= 5; }, 3000ms));
  engine.jpegBus().unwatch(watcher);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(engine.state().capturing) << "stopped before the linger delay";
  ASSERT_TRUE(waitFor([&] { return !engine.state().capturing; }, 2000ms));
  const auto captured = engine.state().frames_captured;
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(engine.state().frames_captured, captured) << "frames kept coming after linger";

  // The next join starts it all again, on either bus.
  auto subscription = engine.h264Bus().subscribe([] {});
  const auto frames = collect(*subscription, 1000ms);
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_TRUE(engine.state().capturing);
  EXPECT_GT(engine.state().frames_captured, captured);
  EXPECT_EQ(engine.state().capture_restarts, 0u);  // a linger stop is not a failure
  engine.h264Bus().unsubscribe(subscription);
  engine.stop();
  engine.stop();  // twice is fine
  EXPECT_FALSE(engine.state().capturing);
}

TEST(MediaEngine, FailingCaptureRestartsWithBackoffAndNeverCrashes) {
  auto config = smallConfig();
  config.height = -5;  // caps the source cannot negotiate: every start fails at once
  MediaEngine engine(config);
  engine.start();
  auto watcher = engine.jpegBus().watch([] {});
  // Backoff 250, 500, 1000 ms...: at least two restarts within two and a half seconds, and
  // not a storm of them.
  ASSERT_TRUE(waitFor([&] { return engine.state().capture_restarts >= 2; }, 2500ms));
  EXPECT_LE(engine.state().capture_restarts, 6u);
  EXPECT_EQ(engine.jpegBus().framesPublished(), 0u);
  engine.jpegBus().unwatch(watcher);
  engine.stop();  // a pending restart must not hang or outlive stop()
}

TEST(MediaEngine, UnknownSourceFailsAtConstruction) {
  auto config = smallConfig();
  config.source = "no-such-source";
  EXPECT_THROW(MediaEngine engine(config), std::runtime_error);
}

TEST(MediaEngine, BadPresetFailsAtStart) {
  auto config = smallConfig();
  config.preset = "warp-speed";
  MediaEngine engine(config);
  EXPECT_THROW(engine.start(), std::runtime_error);
}

// Not a pass/fail on time: prints the per-stage numbers at the default 1280x720@60.
TEST(MediaEngine, Measure720p60) {
  config::Config config;  // defaults: 1280x720@60, ultrafast, 4000 kbit/s
  MediaEngine engine(config);
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  const auto frames = collect(*subscription, 3000ms);
  const auto stats = engine.h264Bus().stats();
  engine.h264Bus().unsubscribe(subscription);
  ASSERT_GT(frames.size(), 60u);
  std::printf(
      "720p60: %zu frames in 3 s, %.1f fps, %.0f kbit/s; capture->encoder p50 %lld us; "
      "encode p50 %lld us p95 %lld us max %lld us\n",
      frames.size(), stats.fps, stats.kbps, static_cast<long long>(stats.source_to_encoder.p50),
      static_cast<long long>(stats.encode.p50), static_cast<long long>(stats.encode.p95),
      static_cast<long long>(stats.encode.max));
}

}  // namespace
}  // namespace framewire::media
