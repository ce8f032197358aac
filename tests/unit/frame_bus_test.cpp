// FrameBus (bus/frame_bus, bus/subscription): fan-out without copies, start at a keyframe,
// slow subscribers drop to the next keyframe, coalesced keyframe requests, unsubscribe during
// publish, demand and stats.

#include "bus/frame_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "core/encoded_frame.hpp"

namespace framewire::bus {
namespace {

using core::EncodedFrame;
using core::FramePtr;

FramePtr makeFrame(bool keyframe, std::uint64_t sequence, std::size_t size = 100) {
  auto storage = std::make_shared<std::vector<std::uint8_t>>(size, keyframe ? 0x65 : 0x41);
  auto frame = std::make_shared<EncodedFrame>();
  frame->owner = storage;
  frame->data = storage->data();
  frame->size = storage->size();
  frame->keyframe = keyframe;
  frame->sequence = sequence;
  return frame;
}

// Options that make every keyframe request reach the sender at once (no clock involved).
FrameBusOptions noRateLimit(std::size_t capacity = 8) {
  FrameBusOptions options;
  options.mailbox_capacity = capacity;
  options.keyframe_min_interval_us = 0;
  return options;
}

// An interval no test run can reach: requests after the first are always "too soon".
FrameBusOptions hugeInterval(std::size_t capacity = 8) {
  FrameBusOptions options;
  options.mailbox_capacity = capacity;
  options.keyframe_min_interval_us = 3'600'000'000;  // one hour
  return options;
}

std::vector<FramePtr> drain(Subscription& sub) {
  std::vector<FramePtr> out;
  while (auto frame = sub.pop()) out.push_back(std::move(frame));
  return out;
}

TEST(FrameBusTest, FansOutTheSameFramesInOrderToEverySubscriber) {
  FrameBus bus("hq", noRateLimit(16));
  std::atomic<int> wakes[3] = {0, 0, 0};
  std::vector<std::shared_ptr<Subscription>> subs;
  for (int i = 0; i < 3; ++i) subs.push_back(bus.subscribe([&wakes, i] { ++wakes[i]; }));
  EXPECT_EQ(bus.subscriberCount(), 3u);

  std::vector<FramePtr> published;
  for (std::uint64_t seq = 0; seq < 10; ++seq) {
    published.push_back(makeFrame(seq % 5 == 0, seq, 100 + seq));
    bus.publish(published.back());
  }
  for (int i = 0; i < 3; ++i) {
    // Woken once: the mailbox went from empty to non-empty once.
    EXPECT_EQ(wakes[i].load(), 1) << i;
    EXPECT_EQ(subs[i]->queued(), 10u);
    const auto got = drain(*subs[i]);
    ASSERT_EQ(got.size(), published.size()) << i;
    for (std::size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].get(), published[k].get()) << "subscriber " << i << " frame " << k;
      EXPECT_EQ(got[k]->data, published[k]->data);  // the very same bytes: no copy
    }
    const auto counters = subs[i]->counters();
    EXPECT_EQ(counters.frames_delivered, 10u);
    EXPECT_EQ(counters.frames_dropped, 0u);
    EXPECT_EQ(counters.overflows, 0u);
    EXPECT_EQ(counters.bytes_delivered, 10u * 100u + 45u);
  }
  // Every frame is shared: published + 3 mailboxes handed out, no one else holds a copy.
  EXPECT_EQ(published[3].use_count(), 1);

  // Empty again: the next frame wakes each subscriber once more.
  bus.publish(makeFrame(false, 10));
  bus.publish(makeFrame(false, 11));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(wakes[i].load(), 2) << i;
}

TEST(FrameBusTest, WakeOnlyWhenTheMailboxBecomesNonEmpty) {
  FrameBus bus("hq", noRateLimit(8));
  int wakes = 0;
  auto sub = bus.subscribe([&] { ++wakes; });
  bus.publish(makeFrame(true, 0));
  EXPECT_EQ(wakes, 1);
  bus.publish(makeFrame(false, 1));
  bus.publish(makeFrame(false, 2));
  EXPECT_EQ(wakes, 1);
  ASSERT_TRUE(sub->pop());
  bus.publish(makeFrame(false, 3));  // still two queued: no wake
  EXPECT_EQ(wakes, 1);
  drain(*sub);
  bus.publish(makeFrame(false, 4));
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(sub->pop()->sequence, 4u);
  EXPECT_EQ(sub->pop(), nullptr);
}

TEST(FrameBusTest, NewSubscriberStartsAtAKeyframe) {
  FrameBus bus("hq", noRateLimit());
  bus.publish(makeFrame(true, 0));  // before the join: never seen
  int wakes = 0;
  auto sub = bus.subscribe([&] { ++wakes; });
  for (std::uint64_t seq = 1; seq <= 4; ++seq) bus.publish(makeFrame(false, seq));
  EXPECT_EQ(sub->queued(), 0u);
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(sub->counters().frames_dropped, 4u);

  bus.publish(makeFrame(true, 5));
  bus.publish(makeFrame(false, 6));
  EXPECT_EQ(wakes, 1);
  const auto got = drain(*sub);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0]->keyframe);
  EXPECT_EQ(got[0]->sequence, 5u);
  EXPECT_EQ(got[1]->sequence, 6u);
  EXPECT_EQ(sub->counters().frames_dropped, 4u);
  EXPECT_EQ(sub->counters().frames_delivered, 2u);
}

TEST(FrameBusTest, JoiningRequestsAKeyframe) {
  FrameBus bus("hq", noRateLimit());
  int sent = 0;
  bus.setKeyframeSender([&] { ++sent; });
  EXPECT_EQ(sent, 0);
  auto a = bus.subscribe([] {});
  EXPECT_EQ(sent, 1);
  auto b = bus.subscribe([] {});
  EXPECT_EQ(sent, 2);
  const auto stats = bus.stats();
  EXPECT_EQ(stats.keyframe_requests, 2u);
  EXPECT_EQ(stats.keyframe_requests_sent, 2u);
}

TEST(FrameBusTest, SlowSubscriberDropsToTheNextKeyframeWhileAFastOneGetsEverything) {
  constexpr std::size_t kCapacity = 4;
  FrameBus bus("hq", noRateLimit(kCapacity));
  int sent = 0;
  bus.setKeyframeSender([&] { ++sent; });
  int slow_wakes = 0;
  auto slow = bus.subscribe([&] { ++slow_wakes; });
  auto fast = bus.subscribe([] {});
  ASSERT_EQ(sent, 2);  // the two joins

  std::vector<FramePtr> fast_got;
  std::uint64_t seq = 0;
  auto publish = [&](bool key) {
    bus.publish(makeFrame(key, seq++));
    for (auto& f : drain(*fast)) fast_got.push_back(f);
  };

  publish(true);                               // 0: both start here
  for (int i = 0; i < 3; ++i) publish(false);  // 1..3: slow holds 4 = capacity
  EXPECT_EQ(slow->queued(), kCapacity);
  EXPECT_EQ(slow->counters().overflows, 0u);
  EXPECT_EQ(sent, 2);

  publish(false);  // 4: overflow. Flush the 4 held, drop this delta, ask for a keyframe.
  EXPECT_EQ(slow->queued(), 0u);
  EXPECT_EQ(slow->counters().overflows, 1u);
  EXPECT_EQ(slow->counters().frames_dropped, 5u);
  EXPECT_EQ(sent, 3);

  for (int i = 0; i < 5; ++i) publish(false);  // 5..9: still waiting, no new requests
  EXPECT_EQ(slow->queued(), 0u);
  EXPECT_EQ(slow->counters().frames_dropped, 10u);
  EXPECT_EQ(slow->counters().overflows, 1u);
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(slow_wakes, 1);

  publish(true);   // 10: resumes here
  publish(false);  // 11
  EXPECT_EQ(slow_wakes, 2);
  const auto slow_got = drain(*slow);
  ASSERT_EQ(slow_got.size(), 2u);
  EXPECT_TRUE(slow_got[0]->keyframe);
  EXPECT_EQ(slow_got[0]->sequence, 10u);
  EXPECT_EQ(slow_got[1]->sequence, 11u);

  // The fast subscriber saw all 12 frames in order and was never disturbed.
  ASSERT_EQ(fast_got.size(), 12u);
  for (std::uint64_t k = 0; k < fast_got.size(); ++k) EXPECT_EQ(fast_got[k]->sequence, k);
  EXPECT_EQ(fast->counters().frames_dropped, 0u);
  EXPECT_EQ(fast->counters().overflows, 0u);
}

TEST(FrameBusTest, OverflowOnAKeyframeKeepsTheKeyframe) {
  FrameBus bus("hq", noRateLimit(2));
  int sent = 0;
  bus.setKeyframeSender([&] { ++sent; });
  auto sub = bus.subscribe([] {});
  bus.publish(makeFrame(true, 0));
  bus.publish(makeFrame(false, 1));
  bus.publish(makeFrame(true, 2));  // full: the two old frames go, the keyframe stays
  EXPECT_EQ(sent, 1);               // no request needed: it already has a keyframe
  EXPECT_EQ(sub->counters().overflows, 1u);
  EXPECT_EQ(sub->counters().frames_dropped, 2u);
  bus.publish(makeFrame(false, 3));
  const auto got = drain(*sub);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]->sequence, 2u);
  EXPECT_EQ(got[1]->sequence, 3u);
}

TEST(FrameBusTest, KeyframeRequestsCoalesceWithinTheInterval) {
  FrameBus bus("hq", hugeInterval(4));
  int sent = 0;
  bus.setKeyframeSender([&] { ++sent; });
  auto a = bus.subscribe([] {});
  EXPECT_EQ(sent, 1);
  std::vector<std::shared_ptr<Subscription>> more;
  for (int i = 0; i < 5; ++i) more.push_back(bus.subscribe([] {}));
  for (int i = 0; i < 50; ++i) bus.requestKeyframe();
  // Overflows also ask (through the same gate).
  bus.publish(makeFrame(true, 0));
  for (std::uint64_t s = 1; s < 20; ++s) bus.publish(makeFrame(false, s));
  EXPECT_EQ(sent, 1);
  const auto stats = bus.stats();
  EXPECT_EQ(stats.keyframe_requests, 6u + 50u + 6u);  // joins + explicit + one overflow each
  EXPECT_EQ(stats.keyframe_requests_sent, 1u);
}

// The deferred request is sent by a later publish once the interval has passed. This uses the
// real steady clock (FrameBus has no clock injection; KeyframeGate's own test covers the exact
// timing with a fake clock), so it only checks outcomes, never durations.
TEST(FrameBusTest, DeferredKeyframeRequestIsSentByALaterPublish) {
  FrameBusOptions options;
  options.keyframe_min_interval_us = 100'000;
  FrameBus bus("hq", options);
  std::atomic<int> sent{0};
  bus.setKeyframeSender([&] { ++sent; });
  auto sub = bus.subscribe([] {});
  ASSERT_EQ(sent.load(), 1);
  bus.requestKeyframe();
  if (sent.load() != 1) GTEST_SKIP() << "machine stalled for > 100 ms between two calls";
  bus.publish(makeFrame(false, 0));  // within the interval: stays deferred
  if (sent.load() != 1) GTEST_SKIP() << "machine stalled for > 100 ms";
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(sent.load(), 1);  // nothing is sent without a publish (no timer thread)
  bus.publish(makeFrame(false, 1));
  EXPECT_EQ(sent.load(), 2);
  bus.publish(makeFrame(false, 2));
  EXPECT_EQ(sent.load(), 2);  // sent once, not on every publish
  EXPECT_EQ(bus.stats().keyframe_requests_sent, 2u);
}

TEST(FrameBusTest, APublishedKeyframeSatisfiesADeferredRequest) {
  FrameBusOptions options;
  options.keyframe_min_interval_us = 100'000;
  FrameBus bus("hq", options);
  std::atomic<int> sent{0};
  bus.setKeyframeSender([&] { ++sent; });
  auto sub = bus.subscribe([] {});
  bus.requestKeyframe();
  if (sent.load() != 1) GTEST_SKIP() << "machine stalled for > 100 ms between two calls";
  bus.publish(makeFrame(true, 0));  // the encoder's keyframe: satisfies the deferred one
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  bus.publish(makeFrame(false, 1));
  bus.publish(makeFrame(false, 2));
  EXPECT_EQ(sent.load(), 1);
  EXPECT_EQ(bus.stats().keyframe_requests, 2u);
  EXPECT_EQ(bus.stats().keyframe_requests_sent, 1u);
}

TEST(FrameBusTest, DemandListenerSeesEveryCount) {
  FrameBus bus("hq");
  std::vector<std::size_t> counts;
  bus.setDemandListener([&](std::size_t n) { counts.push_back(n); });
  auto a = bus.subscribe([] {});
  auto b = bus.subscribe([] {});
  bus.unsubscribe(a);
  bus.unsubscribe(b);
  EXPECT_EQ(counts, (std::vector<std::size_t>{1, 2, 1, 0}));
  // Unknown, repeated or null unsubscribes change nothing and say nothing.
  bus.unsubscribe(a);
  bus.unsubscribe(nullptr);
  bus.unsubscribe(std::make_shared<Subscription>(
      4, [] {}, [] {}));
  EXPECT_EQ(counts.size(), 4u);
  EXPECT_EQ(bus.subscriberCount(), 0u);
}

TEST(FrameBusTest, DemandListenerMayCallBackIntoTheBus) {
  FrameBus bus("hq");
  std::vector<std::size_t> seen;
  bus.setDemandListener([&](std::size_t) { seen.push_back(bus.subscriberCount()); });
  auto a = bus.subscribe([] {});  // would deadlock if the bus lock were held
  bus.unsubscribe(a);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 0}));
}

TEST(FrameBusTest, UnsubscribedSubscriptionGetsNothingMore) {
  FrameBus bus("hq", noRateLimit());
  int wakes = 0;
  auto sub = bus.subscribe([&] { ++wakes; });
  bus.publish(makeFrame(true, 0));
  EXPECT_EQ(wakes, 1);
  bus.unsubscribe(sub);
  EXPECT_EQ(sub->pop(), nullptr);  // what it held is released
  bus.publish(makeFrame(true, 1));
  bus.publish(makeFrame(false, 2));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(sub->queued(), 0u);
  EXPECT_EQ(bus.subscriberCount(), 0u);
  // Closing directly (the bus side) has the same effect even if still listed.
  auto other = bus.subscribe([&] { ++wakes; });
  other->close();
  bus.publish(makeFrame(true, 3));
  EXPECT_EQ(wakes, 1);
}

// A publisher thread publishes thousands of frames while other threads subscribe and
// unsubscribe in a loop. No crash, no frame out of order for a steady subscriber, and once
// unsubscribe() has returned the subscription's wake is never called again.
TEST(FrameBusTest, UnsubscribeDuringPublishStress) {
  FrameBus bus("hq", noRateLimit(4));
  std::atomic<std::uint64_t> keyframe_requests{0};
  bus.setKeyframeSender([&] { ++keyframe_requests; });
  std::atomic<std::size_t> last_demand{0};
  bus.setDemandListener([&](std::size_t n) { last_demand = n; });

  std::atomic<bool> done{false};
  std::atomic<int> late_wakes{0};
  std::atomic<std::uint64_t> total_wakes{0};
  std::atomic<std::uint64_t> churn_cycles{0};

  // A steady subscriber that pops everything on its own thread.
  std::atomic<bool> steady_ok{true};
  std::atomic<std::uint64_t> steady_frames{0};
  auto steady = bus.subscribe([] {});
  std::thread steady_reader([&] {
    std::uint64_t last = 0;
    bool first = true;
    while (!done.load()) {
      while (auto frame = steady->pop()) {
        if (!first && frame->sequence <= last) steady_ok = false;
        first = false;
        last = frame->sequence;
        ++steady_frames;
      }
      std::this_thread::yield();
    }
  });

  auto churn = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!done.load()) {
      auto unsubscribed = std::make_shared<std::atomic<bool>>(false);
      auto woken = std::make_shared<std::atomic<int>>(0);
      auto sub = bus.subscribe([=, &late_wakes, &total_wakes] {
        if (unsubscribed->load()) ++late_wakes;
        ++*woken;
        ++total_wakes;
      });
      // Sometimes leave at once, sometimes after receiving something.
      if (rng() % 3 != 0) {
        for (int spin = 0; spin < 2000 && woken->load() == 0 && !done.load(); ++spin) {
          std::this_thread::yield();
        }
        if (rng() % 2) drain(*sub);
      }
      bus.unsubscribe(sub);
      unsubscribed->store(true);
      ++churn_cycles;
    }
  };
  std::thread churn1(churn, 1u), churn2(churn, 2u);

  // Publish at least 6000 frames, and keep going until the other threads have really taken
  // part (progress, not time, decides; the cap only stops a broken bus from spinning forever).
  constexpr std::uint64_t kMinFrames = 6000;
  constexpr std::uint64_t kMaxFrames = 20'000'000;
  std::uint64_t published = 0;
  std::thread publisher([&] {
    for (std::uint64_t seq = 0; seq < kMaxFrames; ++seq) {
      if (seq >= kMinFrames && churn_cycles.load() >= 300 && total_wakes.load() >= 50 &&
          steady_frames.load() > 0) {
        break;
      }
      bus.publish(makeFrame(seq % 10 == 0, seq, 64));
      ++published;
      if (seq % 64 == 0) std::this_thread::yield();
    }
  });
  publisher.join();
  done = true;
  churn1.join();
  churn2.join();
  steady_reader.join();
  while (auto frame = steady->pop()) ++steady_frames;

  EXPECT_EQ(late_wakes.load(), 0);
  EXPECT_TRUE(steady_ok.load());
  EXPECT_GE(churn_cycles.load(), 300u);
  EXPECT_GE(total_wakes.load(), 50u);
  EXPECT_GT(steady_frames.load(), 0u);
  const auto counters = steady->counters();
  // Every frame reached the steady subscriber either as delivered or as dropped.
  EXPECT_EQ(counters.frames_delivered + counters.frames_dropped, published);
  EXPECT_EQ(bus.subscriberCount(), 1u);
  EXPECT_EQ(last_demand.load(), 1u);
  EXPECT_EQ(bus.stats().frames_published, published);

  // After all of that, a unsubscribed subscription is never woken by later frames.
  bus.unsubscribe(steady);
  EXPECT_EQ(last_demand.load(), 0u);
  bus.publish(makeFrame(true, published));
  EXPECT_EQ(steady->queued(), 0u);
}

// The encoder makes keyframes only when asked (GOP 0). Subscribers keep joining while it
// publishes: every joiner must get a keyframe, whether its request was sent, deferred and sent
// later, or satisfied by a keyframe it receives. A request cancelled by a keyframe the joiner
// does not receive would leave it waiting forever. The 20 s limit only guards against hanging.
TEST(FrameBusTest, EveryJoinerGetsAKeyframeWhenKeyframesComeOnlyOnRequest) {
  FrameBusOptions options;
  options.mailbox_capacity = 64;
  options.keyframe_min_interval_us = 1'000;
  FrameBus bus("hq", options);
  std::atomic<bool> want_keyframe{false};
  bus.setKeyframeSender([&] { want_keyframe = true; });
  std::atomic<bool> done{false};
  std::thread encoder([&] {
    for (std::uint64_t seq = 0; !done.load(); ++seq) {
      bus.publish(makeFrame(want_keyframe.exchange(false), seq, 16));
      std::this_thread::yield();
    }
  });
  std::atomic<int> starved{0};
  auto joiner = [&] {
    for (int i = 0; i < 100; ++i) {
      auto sub = bus.subscribe([] {});
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      bool got = false;
      while (!got && std::chrono::steady_clock::now() < deadline) {
        if (auto frame = sub->pop()) {
          got = frame->keyframe;
          ASSERT_TRUE(frame->keyframe) << "the first frame must be a keyframe";
        } else {
          std::this_thread::yield();
        }
      }
      if (!got) ++starved;
      bus.unsubscribe(sub);
    }
  };
  std::thread j1(joiner), j2(joiner);
  j1.join();
  j2.join();
  done = true;
  encoder.join();
  EXPECT_EQ(starved.load(), 0);
}

TEST(FrameBusTest, StatsCountFramesBytesKeyframesAndStageLatency) {
  FrameBus bus("hq", noRateLimit());
  auto sub = bus.subscribe([] {});
  auto timed = [](bool key, std::uint64_t seq, std::size_t size, std::int64_t capture,
                  std::int64_t to_encoder, std::int64_t encode) {
    auto frame = std::const_pointer_cast<EncodedFrame>(makeFrame(key, seq, size));
    frame->capture_us = capture;
    frame->encode_start_us = capture + to_encoder;
    frame->encoded_us = capture + to_encoder + encode;
    return FramePtr(frame);
  };
  const std::int64_t t0 = 1'767'225'600'000'000;
  std::vector<FramePtr> frames;
  for (std::uint64_t i = 0; i < 10; ++i) {
    // to_encoder = 100..1000 µs, encode = 2000 + 10*i µs.
    frames.push_back(timed(i % 4 == 0, i, 1000 + i, t0 + static_cast<std::int64_t>(i) * 16'666,
                           100 * static_cast<std::int64_t>(i + 1),
                           2000 + 10 * static_cast<std::int64_t>(i)));
    bus.publish(frames.back());
  }
  // A frame without times counts, but adds no latency samples.
  bus.publish(makeFrame(false, 10, 55));

  auto stats = bus.stats();
  EXPECT_EQ(stats.frames_published, 11u);
  EXPECT_EQ(stats.keyframes_published, 3u);  // 0, 4, 8
  EXPECT_EQ(stats.bytes_published, 10u * 1000u + 45u + 55u);
  EXPECT_EQ(stats.subscribers, 1u);
  EXPECT_EQ(stats.source_to_encoder.count, 10u);
  EXPECT_DOUBLE_EQ(stats.source_to_encoder.mean, 550.0);
  EXPECT_EQ(stats.source_to_encoder.max, 1000);
  EXPECT_EQ(stats.encode.count, 10u);
  EXPECT_DOUBLE_EQ(stats.encode.mean, 2045.0);
  EXPECT_EQ(stats.encode.max, 2090);
  EXPECT_EQ(stats.encoded_to_sent.count, 0u);
  EXPECT_EQ(stats.capture_to_sent.count, 0u);
  EXPECT_EQ(bus.lastKeyframe().get(), frames[8].get());

  // Transports report writes: 500 µs after encoding.
  for (const auto& f : frames) bus.recordSent(*f, f->encoded_us + 500);
  stats = bus.stats();
  EXPECT_EQ(stats.encoded_to_sent.count, 10u);
  EXPECT_DOUBLE_EQ(stats.encoded_to_sent.mean, 500.0);
  EXPECT_EQ(stats.encoded_to_sent.p50, 500);
  EXPECT_EQ(stats.capture_to_sent.count, 10u);
  EXPECT_DOUBLE_EQ(stats.capture_to_sent.mean, 550.0 + 2045.0 + 500.0);
  EXPECT_EQ(stats.capture_to_sent.max, 1000 + 2090 + 500);
  // A frame without times is not recorded.
  bus.recordSent(*makeFrame(false, 99), t0);
  EXPECT_EQ(bus.stats().capture_to_sent.count, 10u);
}

TEST(FrameBusTest, FramesOutliveTheBusAndSubscriptionsHoldThem) {
  std::weak_ptr<const EncodedFrame> weak;
  std::shared_ptr<Subscription> sub;
  {
    FrameBus bus("hq");
    sub = bus.subscribe([] {});
    auto frame = makeFrame(true, 0);
    weak = frame;
    bus.publish(frame);
  }
  auto frame = sub->pop();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame.get(), weak.lock().get());
  frame.reset();
  EXPECT_TRUE(weak.expired());  // the mailbox released it when popped
}

TEST(FrameBusTest, NullFrameIsIgnored) {
  FrameBus bus("hq");
  int wakes = 0;
  auto sub = bus.subscribe([&] { ++wakes; });
  bus.publish(nullptr);
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(bus.stats().frames_published, 0u);
}

}  // namespace
}  // namespace framewire::bus
