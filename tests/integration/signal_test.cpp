// The picture never stops: a source that goes quiet or ends is replaced by NO SIGNAL frames
// (with the latency stamp), encoders keep running, the live picture comes back by itself.
// Real GStreamer, the stdin source fed through a pipe that stands in for fd 0.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "decode_helpers.hpp"
#include "media/media_engine.hpp"
#include "source_helpers.hpp"

namespace framewire::media {
namespace {

using namespace std::chrono_literals;
using testing::collectFor;
using testing::pollUntil;

struct Events {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> list;
  void add(const std::string& type, const std::string& reason) {
    std::lock_guard lock(mutex);
    list.emplace_back(type, reason);
  }
  std::vector<std::pair<std::string, std::string>> get() {
    std::lock_guard lock(mutex);
    return list;
  }
};

config::Config stdinConfig() {
  config::Config c;
  c.source = "stdin";
  c.width = 640;
  c.height = 360;
  c.fps = 30;
  c.bitrate_kbps = 1000;
  c.jpeg_fps = 30;
  c.linger_seconds = 5;
  c.source_settings.signal_timeout_s = 0.5;
  return c;
}

// Writes grey frames at 30 fps until `stop`.
void feed(testing::StdinPipe& pipe, std::atomic<bool>& stop, std::uint8_t luma) {
  const auto frame = testing::makeI420Frame(640, 360, luma);
  while (!stop.load()) {
    if (!pipe.write(frame)) return;
    std::this_thread::sleep_for(33ms);
  }
}

TEST(Signal, SilenceThenRecoveryThenInputEnded) {
  testing::StdinPipe pipe;
  MediaEngine engine(stdinConfig());
  Events events;
  engine.setEventListener([&](const std::string& t, const std::string& r) { events.add(t, r); });
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  auto watcher = engine.jpegBus().watch([] {});

  // Live.
  std::atomic<bool> stop{false};
  std::thread writer([&] { feed(pipe, stop, 200); });
  ASSERT_TRUE(pollUntil([&] { return engine.state().frames_captured > 10; }, 5s));
  EXPECT_EQ(engine.state().signal, "live");
  ASSERT_TRUE(pollUntil([&] { return engine.jpegBus().latest() != nullptr; }, 5s));
  EXPECT_GT(testing::jpegLumaAt(*engine.jpegBus().latest(), 320, 100), 150);

  // Quiet: NO SIGNAL ("no signal") after the 0.5 s timeout, encoders keep publishing.
  stop = true;
  writer.join();
  const auto quiet_at = core::steadyMicros();
  ASSERT_TRUE(pollUntil([&] { return engine.state().signal == "lost"; }, 3s));
  const auto lost_after_ms = (core::steadyMicros() - quiet_at) / 1000;
  EXPECT_EQ(engine.state().signal_reason, "no signal");
  const auto published = engine.h264Bus().stats().frames_published;
  collectFor(*subscription, 1000ms);
  EXPECT_GT(engine.h264Bus().stats().frames_published, published + 15)
      << "the encoder stopped with the source";
  ASSERT_TRUE(pollUntil(
      [&] {
        auto jpeg = engine.jpegBus().latest();
        return jpeg && testing::jpegLumaAt(*jpeg, 320, 100) < 100;
      },
      3s))
      << "MJPEG does not show the NO SIGNAL picture";

  // Back: the live picture returns by itself.
  stop = false;
  const auto resume_at = core::steadyMicros();
  std::thread writer2([&] { feed(pipe, stop, 200); });
  ASSERT_TRUE(pollUntil([&] { return engine.state().signal == "live"; }, 3s));
  const auto restored_after_ms = (core::steadyMicros() - resume_at) / 1000;
  ASSERT_TRUE(pollUntil(
      [&] {
        auto jpeg = engine.jpegBus().latest();
        return jpeg && testing::jpegLumaAt(*jpeg, 320, 100) > 150;
      },
      3s));

  // The input ends: "input ended", frames still flow with a readable stamp, no exit.
  stop = true;
  writer2.join();
  pipe.closeInput();
  ASSERT_TRUE(pollUntil(
      [&] {
        auto s = engine.state();
        return s.signal == "lost" && s.signal_reason == "input ended";
      },
      3s));
  collectFor(*subscription, 300ms);  // drain
  const auto after_end = collectFor(*subscription, 1500ms);
  ASSERT_GE(after_end.size(), 25u);
  std::vector<core::FramePtr> decodable;
  for (const auto& f : after_end) {
    if (!decodable.empty() || f->keyframe) decodable.push_back(f);
  }
  if (decodable.empty()) {
    // No keyframe in the window: ask for one and take the next ones.
    engine.h264Bus().requestKeyframe();
    for (const auto& f : collectFor(*subscription, 1000ms)) {
      if (!decodable.empty() || f->keyframe) decodable.push_back(f);
    }
  }
  ASSERT_FALSE(decodable.empty());
  const auto pictures = testing::decodeH264(decodable);
  ASSERT_FALSE(pictures.empty());
  std::size_t stamped = 0;
  for (const auto& p : pictures) stamped += p.stamp ? 1 : 0;
  EXPECT_GE(stamped, pictures.size() * 9 / 10) << "NO SIGNAL frames carry no latency stamp";

  const auto got = events.get();
  ASSERT_GE(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(std::string("signal_lost"), std::string("no signal")));
  EXPECT_EQ(got[1], std::make_pair(std::string("signal_restored"), std::string("")));
  EXPECT_EQ(got[2], std::make_pair(std::string("signal_lost"), std::string("input ended")));
  std::printf("[ measure ] stdin quiet -> lost: %lld ms (timeout 500 ms); resumed -> live: "
              "%lld ms\n",
              static_cast<long long>(lost_after_ms), static_cast<long long>(restored_after_ms));

  engine.h264Bus().unsubscribe(subscription);
  engine.jpegBus().unwatch(watcher);
  engine.stop();
}

TEST(Signal, V4l2MissingDeviceGivesNoSignalNotACrash) {
  config::Config c = stdinConfig();
  c.source = "v4l2";
  c.source_settings.device = "/dev/video-framewire-missing";
  MediaEngine engine(c);
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  ASSERT_TRUE(pollUntil([&] { return engine.state().signal == "lost"; }, 3s));
  EXPECT_EQ(engine.state().signal_reason, "device missing");
  const auto frames = collectFor(*subscription, 1500ms);
  EXPECT_GE(frames.size(), 25u);
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames.front()->keyframe);
  EXPECT_EQ(frames.front()->width, 640);
  EXPECT_GE(engine.state().capture_restarts, 1u);  // looked for again every second
  engine.h264Bus().unsubscribe(subscription);
  engine.stop();
}

// The H.264 piped in comes out on the bus byte for byte: no decoder, no encoder.
TEST(Signal, StdinH264PassThroughIsByteIdentical) {
  const auto aus = testing::makeH264AccessUnits(90, 320, 240, 30);
  ASSERT_EQ(aus.size(), 90u);
  testing::StdinPipe pipe;
  config::Config c = stdinConfig();
  c.source_settings.codec = "h264";
  c.source_settings.signal_timeout_s = 2;
  MediaEngine engine(c);
  engine.start();
  auto subscription = engine.h264Bus().subscribe([] {});
  std::thread writer([&] {
    for (const auto& au : aus) {
      pipe.write(au);
      std::this_thread::sleep_for(33ms);
    }
  });
  std::vector<core::FramePtr> got;
  ASSERT_TRUE(pollUntil(
      [&] {
        while (auto f = subscription->pop()) got.push_back(f);
        return got.size() >= 80;
      },
      10s));
  writer.join();
  const auto state = engine.state();
  EXPECT_TRUE(state.passthrough);
  EXPECT_FALSE(state.bframes);
  EXPECT_EQ(state.width, 320);
  // Find the first published AU in the input and compare from there on.
  std::size_t start = aus.size();
  for (std::size_t i = 0; i < aus.size(); ++i) {
    if (aus[i].size() == got[0]->size &&
        std::equal(aus[i].begin(), aus[i].end(), got[0]->data)) {
      start = i;
      break;
    }
  }
  ASSERT_LT(start, aus.size()) << "the first published AU is not one of the input's";
  std::size_t compared = 0;
  for (std::size_t k = 0; k < got.size() && start + k < aus.size(); ++k) {
    const auto& in = aus[start + k];
    ASSERT_EQ(in.size(), got[k]->size) << "AU " << start + k;
    ASSERT_TRUE(std::equal(in.begin(), in.end(), got[k]->data)) << "AU " << start + k;
    EXPECT_EQ(got[k]->width, 320);
    ++compared;
  }
  EXPECT_GE(compared, 75u);
  EXPECT_TRUE(got[0]->keyframe);
  // No encoder ran for the live stream.
  for (const auto& b : state.branches) {
    if (b.id == "main") {
      EXPECT_EQ(b.frames_in, 0u);
    }
  }
  engine.h264Bus().unsubscribe(subscription);
  engine.stop();
}

// Viewers that join a pass-through stream get the cached keyframe at once.
TEST(Signal, PassThroughJoinGetsCachedKeyframe) {
  const auto aus = testing::makeH264AccessUnits(150, 320, 240, 1000);  // one keyframe only
  testing::StdinPipe pipe;
  config::Config c = stdinConfig();
  c.source_settings.codec = "h264";
  c.source_settings.signal_timeout_s = 2;
  MediaEngine engine(c);
  engine.start();
  auto first = engine.h264Bus().subscribe([] {});
  std::thread writer([&] {
    for (const auto& au : aus) {
      pipe.write(au);
      std::this_thread::sleep_for(33ms);
    }
  });
  ASSERT_TRUE(pollUntil([&] { return engine.h264Bus().stats().frames_published > 40; }, 10s));
  auto late = engine.h264Bus().subscribe([] {});
  std::vector<core::FramePtr> got;
  ASSERT_TRUE(pollUntil(
      [&] {
        while (auto f = late->pop()) got.push_back(f);
        return !got.empty();
      },
      1s))
      << "a late joiner waited for a keyframe the camera will not send";
  EXPECT_TRUE(got.front()->keyframe);
  EXPECT_EQ(got.front()->size, aus[0].size());
  writer.join();
  engine.h264Bus().unsubscribe(first);
  engine.h264Bus().unsubscribe(late);
  engine.stop();
}

}  // namespace
}  // namespace framewire::media
