// KeyframeGate (bus/keyframe_gate) with a fake clock: one request per interval, a deferred
// request sent by poll() when due, and a published keyframe cancelling it.

#include "bus/keyframe_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace framewire::bus {
namespace {

class KeyframeGateTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kInterval = 250'000;
  std::int64_t now_ = 1'000'000'000;  // arbitrary steady time
  int sent_ = 0;
  KeyframeGate gate_{kInterval, [this] { return now_; }};

  void SetUp() override {
    gate_.setSender([this] { ++sent_; });
  }
};

TEST_F(KeyframeGateTest, FirstRequestGoesOutAtOnce) {
  gate_.request();
  EXPECT_EQ(sent_, 1);
  EXPECT_EQ(gate_.requested(), 1u);
  EXPECT_EQ(gate_.sent(), 1u);
}

TEST_F(KeyframeGateTest, FirstRequestGoesOutAtOnceEvenAtClockZero) {
  KeyframeGate gate(kInterval, [] { return std::int64_t{0}; });
  int sent = 0;
  gate.setSender([&] { ++sent; });
  gate.request();
  EXPECT_EQ(sent, 1);
}

TEST_F(KeyframeGateTest, AtMostOnePerIntervalAndTheRestCoalesce) {
  gate_.request();
  for (int i = 0; i < 100; ++i) {
    now_ += 1'000;  // 100 ms of requests, all within the interval
    gate_.request();
  }
  EXPECT_EQ(sent_, 1);
  EXPECT_EQ(gate_.requested(), 101u);
  EXPECT_EQ(gate_.sent(), 1u);
}

TEST_F(KeyframeGateTest, RequestAfterTheIntervalGoesOutAtOnce) {
  gate_.request();
  now_ += kInterval - 1;
  gate_.request();  // 1 µs too soon
  EXPECT_EQ(sent_, 1);
  now_ += 1;
  gate_.request();  // exactly due: sends (and absorbs the deferred one)
  EXPECT_EQ(sent_, 2);
  now_ += 10 * kInterval;
  gate_.poll();  // nothing left pending
  EXPECT_EQ(sent_, 2);
}

TEST_F(KeyframeGateTest, DeferredRequestIsSentByPollWhenDue) {
  gate_.request();  // sent at t
  now_ += 10'000;
  gate_.request();  // deferred
  EXPECT_EQ(sent_, 1);
  now_ += 100'000;
  gate_.poll();  // t + 110 ms: not yet
  EXPECT_EQ(sent_, 1);
  now_ = now_ - 110'000 + kInterval;  // exactly t + interval
  gate_.poll();
  EXPECT_EQ(sent_, 2);
  gate_.poll();
  now_ += kInterval;
  gate_.poll();  // sent once, not again
  EXPECT_EQ(sent_, 2);
  EXPECT_EQ(gate_.sent(), 2u);
  EXPECT_EQ(gate_.requested(), 2u);
}

TEST_F(KeyframeGateTest, IntervalCountsFromADeferredSendToo) {
  gate_.request();  // t
  now_ += 1;
  gate_.request();  // deferred
  now_ += kInterval;
  gate_.poll();  // sent at t + interval + 1
  ASSERT_EQ(sent_, 2);
  now_ += 1;
  gate_.request();  // too soon after the deferred send
  EXPECT_EQ(sent_, 2);
  now_ += kInterval - 2;
  gate_.poll();
  EXPECT_EQ(sent_, 2);
  now_ += 1;
  gate_.poll();
  EXPECT_EQ(sent_, 3);
}

TEST_F(KeyframeGateTest, PollWithoutARequestSendsNothing) {
  for (int i = 0; i < 10; ++i) {
    now_ += kInterval * 3;
    gate_.poll();
  }
  EXPECT_EQ(sent_, 0);
  EXPECT_EQ(gate_.sent(), 0u);
}

TEST_F(KeyframeGateTest, KeyframeCancelsThePendingRequest) {
  gate_.request();
  now_ += 1'000;
  gate_.request();  // deferred
  gate_.onKeyframe();
  now_ += kInterval * 2;
  gate_.poll();
  EXPECT_EQ(sent_, 1);
  // A keyframe does not block the next request either.
  gate_.request();
  EXPECT_EQ(sent_, 2);
}

TEST_F(KeyframeGateTest, KeyframeBeforeTheRequestDoesNotCancelIt) {
  gate_.request();
  gate_.onKeyframe();
  now_ += 1'000;
  gate_.request();  // arrives after the keyframe: still owed
  now_ += kInterval;
  gate_.poll();
  EXPECT_EQ(sent_, 2);
}

TEST_F(KeyframeGateTest, ZeroIntervalSendsEveryRequest) {
  KeyframeGate gate(0, [this] { return now_; });
  int sent = 0;
  gate.setSender([&] { ++sent; });
  for (int i = 0; i < 5; ++i) gate.request();
  EXPECT_EQ(sent, 5);
}

TEST_F(KeyframeGateTest, NoSenderIsHarmlessAndALaterSenderIsUsed) {
  KeyframeGate gate(kInterval, [this] { return now_; });
  gate.request();
  EXPECT_EQ(gate.sent(), 1u);  // counted as sent (the encoder was not there to hear it)
  int sent = 0;
  gate.setSender([&] { ++sent; });
  now_ += kInterval;
  gate.request();
  EXPECT_EQ(sent, 1);
}

TEST_F(KeyframeGateTest, SenderIsCalledWithoutTheLockHeld) {
  // A sender that calls back into the gate (e.g. an encoder that reports the keyframe
  // synchronously) must not deadlock.
  gate_.setSender([this] {
    ++sent_;
    (void)gate_.requested();
    gate_.onKeyframe();
    gate_.request();  // too soon: deferred, not recursive
  });
  gate_.request();
  EXPECT_EQ(sent_, 1);
  EXPECT_EQ(gate_.requested(), 2u);
}

TEST(KeyframeGateThreads, ConcurrentRequestsSendOncePerInterval) {
  // Frozen clock: however many threads ask, exactly one request goes out.
  KeyframeGate gate(1'000, [] { return std::int64_t{5'000'000}; });
  std::atomic<int> sent{0};
  gate.setSender([&] { ++sent; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        gate.request();
        gate.poll();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent.load(), 1);
  EXPECT_EQ(gate.requested(), 4000u);
}

}  // namespace
}  // namespace framewire::bus
