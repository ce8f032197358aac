// SampleWindow (percentiles of the last N samples) and RateMeter (fps and kbit/s over 1 s).

#include "bus/sample_window.hpp"

#include <gtest/gtest.h>

#include "bus/rate_meter.hpp"

namespace framewire::bus {
namespace {

TEST(SampleWindowTest, EmptyHasNoSamples) {
  SampleWindow window;
  const auto s = window.summary();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.mean, 0.0);
  EXPECT_EQ(s.p50, 0);
  EXPECT_EQ(s.p95, 0);
  EXPECT_EQ(s.max, 0);
}

TEST(SampleWindowTest, SingleSample) {
  SampleWindow window;
  window.add(1234);
  const auto s = window.summary();
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 1234.0);
  EXPECT_EQ(s.p50, 1234);
  EXPECT_EQ(s.p95, 1234);
  EXPECT_EQ(s.max, 1234);
}

TEST(SampleWindowTest, Percentiles) {
  // 100 samples, added out of order: 40 x 1, 20 x 5, 38 x 7, 2 x 1000. The median falls in
  // the 5s and the 95th percentile in the 7s whichever rank convention is used.
  SampleWindow window;
  for (int i = 0; i < 100; ++i) {
    const int k = (i * 37) % 100;  // a permutation of 0..99
    window.add(k < 40 ? 1 : k < 60 ? 5 : k < 98 ? 7 : 1000);
  }
  const auto s = window.summary();
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.mean, (40 * 1 + 20 * 5 + 38 * 7 + 2 * 1000) / 100.0);
  EXPECT_EQ(s.p50, 5);
  EXPECT_EQ(s.p95, 7);
  EXPECT_EQ(s.max, 1000);
}

TEST(SampleWindowTest, PercentilesOfARamp) {
  SampleWindow window;
  for (int v = 100; v >= 1; --v) window.add(v);  // 1..100, descending
  const auto s = window.summary();
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_GE(s.p50, 50);
  EXPECT_LE(s.p50, 51);
  EXPECT_GE(s.p95, 95);
  EXPECT_LE(s.p95, 96);
  EXPECT_EQ(s.max, 100);
}

TEST(SampleWindowTest, NegativeValuesCount) {
  // Clock steps can make a stage negative; they must not be lost or wrap.
  SampleWindow window;
  window.add(-500);
  window.add(500);
  const auto s = window.summary();
  EXPECT_DOUBLE_EQ(s.mean, 0.0);
  EXPECT_EQ(s.max, 500);
}

TEST(SampleWindowTest, WrapsAroundPastCapacity) {
  SampleWindow window;
  constexpr int kTotal = 1000;
  for (int v = 0; v < kTotal; ++v) window.add(v);
  const auto s = window.summary();
  constexpr int kCap = static_cast<int>(SampleWindow::kCapacity);
  ASSERT_EQ(s.count, SampleWindow::kCapacity);
  // Only the newest kCapacity values (744..999) remain.
  const int oldest = kTotal - kCap;
  EXPECT_DOUBLE_EQ(s.mean, (oldest + kTotal - 1) / 2.0);
  EXPECT_EQ(s.max, kTotal - 1);
  EXPECT_GE(s.p50, oldest + kCap / 2 - 1);
  EXPECT_LE(s.p50, oldest + kCap / 2);
  // One more huge sample replaces the oldest.
  window.add(1'000'000);
  const auto s2 = window.summary();
  EXPECT_EQ(s2.count, SampleWindow::kCapacity);
  EXPECT_EQ(s2.max, 1'000'000);
  EXPECT_DOUBLE_EQ(s2.mean, (s.mean * kCap - oldest + 1'000'000) / kCap);
}

TEST(SampleWindowTest, ExactlyAtCapacity) {
  SampleWindow window;
  for (std::size_t i = 0; i < SampleWindow::kCapacity; ++i) window.add(7);
  window.add(9);  // replaces one 7
  const auto s = window.summary();
  EXPECT_EQ(s.count, SampleWindow::kCapacity);
  EXPECT_DOUBLE_EQ(s.mean, (7.0 * (SampleWindow::kCapacity - 1) + 9) / SampleWindow::kCapacity);
  EXPECT_EQ(s.max, 9);
  EXPECT_EQ(s.p50, 7);
}

TEST(RateMeterTest, CountsFramesAndBitsOverTheLastSecond) {
  RateMeter meter;
  EXPECT_EQ(meter.fps(0), 0.0);
  EXPECT_EQ(meter.kbps(0), 0.0);
  const std::int64_t t0 = 50'000'000;
  for (int i = 0; i < 10; ++i) meter.add(t0 + i * 100'000, 1000);  // 10 frames over 0.9 s
  EXPECT_EQ(meter.fps(t0 + 900'000), 10.0);
  EXPECT_DOUBLE_EQ(meter.kbps(t0 + 900'000), 80.0);
  // 0.6 s later, the frames older than one second are gone: 500k..900k remain.
  EXPECT_EQ(meter.fps(t0 + 1'500'000), 5.0);
  EXPECT_DOUBLE_EQ(meter.kbps(t0 + 1'500'000), 40.0);
  EXPECT_EQ(meter.fps(t0 + 10'000'000), 0.0);
  EXPECT_EQ(meter.kbps(t0 + 10'000'000), 0.0);
}

TEST(RateMeterTest, SixtyFpsStream) {
  RateMeter meter;
  std::int64_t t = 1'000'000'000;
  for (int i = 0; i < 600; ++i) {  // 10 s at 60 fps, 5000 bytes each
    t += 16'667;
    meter.add(t, 5000);
  }
  EXPECT_GE(meter.fps(t), 60.0);
  EXPECT_LE(meter.fps(t), 61.0);
  EXPECT_NEAR(meter.kbps(t), 60 * 5000 * 8 / 1000.0, 5000 * 8 / 1000.0 + 1e-9);
}

}  // namespace
}  // namespace framewire::bus
