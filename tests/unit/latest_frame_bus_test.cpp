// LatestFrameBus (bus/latest_frame_bus): the JPEG side keeps only the newest picture.

#include "bus/latest_frame_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace framewire::bus {
namespace {

using core::FramePtr;

FramePtr jpeg(std::uint64_t sequence, std::size_t size = 1000) {
  std::vector<std::uint8_t> bytes(size, 0xFF);
  auto frame = std::const_pointer_cast<core::EncodedFrame>(
      core::makeOwnedFrame(bytes, core::Codec::kJpeg, true));
  frame->sequence = sequence;
  return frame;
}

TEST(LatestFrameBusTest, WatcherSeesOnlyTheNewestFrame) {
  LatestFrameBus bus("jpeg");
  int wakes = 0;
  auto watcher = bus.watch([&] { ++wakes; });
  const auto a = jpeg(1), b = jpeg(2), c = jpeg(3);
  bus.publish(a);
  bus.publish(b);
  bus.publish(c);
  EXPECT_EQ(wakes, 1);  // empty -> non-empty once; b and c replaced the untaken picture
  EXPECT_EQ(watcher->take().get(), c.get());
  EXPECT_EQ(watcher->take(), nullptr);  // nothing new
  EXPECT_EQ(watcher->framesTaken(), 1u);
  // a and b are no longer held by the watcher.
  EXPECT_EQ(a.use_count(), 1);
  EXPECT_EQ(b.use_count(), 1);

  const auto d = jpeg(4);
  bus.publish(d);
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(watcher->take().get(), d.get());
  EXPECT_EQ(watcher->take(), nullptr);
  EXPECT_EQ(watcher->framesTaken(), 2u);
}

TEST(LatestFrameBusTest, TakeBeforeAnyPublishIsNull) {
  LatestFrameBus bus("jpeg");
  int wakes = 0;
  auto watcher = bus.watch([&] { ++wakes; });
  EXPECT_EQ(watcher->take(), nullptr);
  EXPECT_EQ(watcher->framesTaken(), 0u);
  EXPECT_EQ(bus.latest(), nullptr);
  EXPECT_EQ(wakes, 0);
  bus.publish(nullptr);
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(bus.framesPublished(), 0u);
}

TEST(LatestFrameBusTest, WatchersAreIndependent) {
  LatestFrameBus bus("jpeg");
  int wakes_a = 0, wakes_b = 0;
  auto a = bus.watch([&] { ++wakes_a; });
  auto b = bus.watch([&] { ++wakes_b; });
  bus.publish(jpeg(1));
  EXPECT_EQ(a->take()->sequence, 1u);  // a takes, b does not
  bus.publish(jpeg(2));
  bus.publish(jpeg(3));
  EXPECT_EQ(wakes_a, 2);
  EXPECT_EQ(wakes_b, 1);
  EXPECT_EQ(a->take()->sequence, 3u);
  EXPECT_EQ(b->take()->sequence, 3u);
  EXPECT_EQ(b->framesTaken(), 1u);
  EXPECT_EQ(a->framesTaken(), 2u);
}

TEST(LatestFrameBusTest, LatestAndCounters) {
  LatestFrameBus bus("jpeg");
  for (std::uint64_t i = 1; i <= 5; ++i) bus.publish(jpeg(i, 500));
  EXPECT_EQ(bus.latest()->sequence, 5u);
  EXPECT_EQ(bus.framesPublished(), 5u);
  EXPECT_LE(bus.fps(), 5.0);
  EXPECT_LE(bus.kbps(), 5 * 500 * 8 / 1000.0);
  // A late watcher is woken by the next picture, and /snapshot can use latest() meanwhile.
  int wakes = 0;
  auto watcher = bus.watch([&] { ++wakes; });
  EXPECT_EQ(watcher->take(), nullptr);
  bus.publish(jpeg(6));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(watcher->take()->sequence, 6u);
}

TEST(LatestFrameBusTest, UnwatchStopsOffers) {
  LatestFrameBus bus("jpeg");
  int wakes = 0;
  auto watcher = bus.watch([&] { ++wakes; });
  bus.publish(jpeg(1));
  EXPECT_EQ(wakes, 1);
  bus.unwatch(watcher);
  EXPECT_EQ(bus.watcherCount(), 0u);
  EXPECT_EQ(watcher->take(), nullptr);  // the untaken picture is released
  bus.publish(jpeg(2));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(watcher->take(), nullptr);
}

TEST(LatestFrameBusTest, DemandCounts) {
  LatestFrameBus bus("jpeg");
  std::vector<std::size_t> counts;
  bus.setDemandListener([&](std::size_t n) { counts.push_back(n); });
  auto a = bus.watch([] {});
  auto b = bus.watch([] {});
  EXPECT_EQ(bus.watcherCount(), 2u);
  bus.unwatch(a);
  bus.unwatch(a);        // twice: no change, no notification
  bus.unwatch(nullptr);  // harmless
  bus.unwatch(b);
  EXPECT_EQ(counts, (std::vector<std::size_t>{1, 2, 1, 0}));
}

TEST(LatestFrameBusTest, DemandListenerMayCallBackIntoTheBus) {
  LatestFrameBus bus("jpeg");
  std::vector<std::size_t> seen;
  bus.setDemandListener([&](std::size_t) { seen.push_back(bus.watcherCount()); });
  auto a = bus.watch([] {});
  bus.unwatch(a);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 0}));
}

// After unwatch() returns, the watcher's wake is never called again, even while another
// thread publishes.
TEST(LatestFrameBusTest, UnwatchDuringPublishStress) {
  LatestFrameBus bus("jpeg");
  std::atomic<bool> done{false};
  std::atomic<int> late_wakes{0};
  std::atomic<std::uint64_t> taken{0};
  std::atomic<std::uint64_t> wakes{0};
  std::atomic<std::uint64_t> cycles{0};
  auto churn = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!done.load()) {
      auto gone = std::make_shared<std::atomic<bool>>(false);
      auto watcher = bus.watch([gone, &late_wakes, &wakes] {
        if (gone->load()) ++late_wakes;
        ++wakes;
      });
      for (unsigned i = rng() % 50; i > 0; --i) std::this_thread::yield();
      if (watcher->take()) ++taken;
      bus.unwatch(watcher);
      gone->store(true);
      ++cycles;
    }
  };
  std::thread c1(churn, 1u), c2(churn, 2u);
  // At least 5000 pictures, and on until the watchers have really taken part (progress, not
  // time, decides; the cap only stops a broken bus from spinning forever).
  std::uint64_t published = 0;
  std::thread publisher([&] {
    for (std::uint64_t i = 0; i < 20'000'000; ++i) {
      if (i >= 5000 && cycles.load() >= 300 && wakes.load() >= 50 && taken.load() > 0) break;
      bus.publish(jpeg(i, 16));
      ++published;
      if (i % 32 == 0) std::this_thread::yield();
    }
  });
  publisher.join();
  done = true;
  c1.join();
  c2.join();
  EXPECT_EQ(late_wakes.load(), 0);
  EXPECT_EQ(bus.watcherCount(), 0u);
  EXPECT_EQ(bus.framesPublished(), published);
  EXPECT_GE(cycles.load(), 300u);
  EXPECT_GE(wakes.load(), 50u);
  EXPECT_GT(taken.load(), 0u);
}

TEST(LatestFrameBusTest, KeepsPerStageTimes) {
  LatestFrameBus bus("jpeg");
  EXPECT_EQ(bus.stages().encode.count, 0u);
  auto frame = std::const_pointer_cast<core::EncodedFrame>(jpeg(1));
  frame->capture_us = 1'000'000;
  frame->encode_start_us = 1'000'200;
  frame->encoded_us = 1'004'200;
  bus.publish(frame);
  bus.recordSent(*frame, 1'005'000);
  const auto s = bus.stages();
  EXPECT_EQ(s.source_to_encoder.count, 1u);
  EXPECT_EQ(s.source_to_encoder.p50, 200);
  EXPECT_EQ(s.encode.p50, 4000);
  EXPECT_EQ(s.encoded_to_sent.p50, 800);
  EXPECT_EQ(s.capture_to_sent.p50, 5000);
  // a picture without times (e.g. a test frame) counts in none of them
  bus.publish(jpeg(2));
  bus.recordSent(*jpeg(3), 1'006'000);
  EXPECT_EQ(bus.stages().encode.count, 1u);
  EXPECT_EQ(bus.stages().capture_to_sent.count, 1u);
}

}  // namespace
}  // namespace framewire::bus
