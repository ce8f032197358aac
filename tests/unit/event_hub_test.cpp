// EventHub: fan-out in order, bounded queues that drop the oldest and say so, wakes only on
// empty → non-empty, unsubscribe.
#include "transport/events/event_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

namespace framewire::transport::events {
namespace {

using nlohmann::json;

json popJson(EventQueue& queue) {
  auto text = queue.pop();
  return text ? json::parse(*text) : json();
}

TEST(EventHubTest, EverySubscriberGetsEveryEventInOrder) {
  EventHub hub;
  auto a = hub.subscribe({});
  auto b = hub.subscribe({});
  hub.publish({{"type", "one"}});
  hub.publish({{"type", "two"}});
  for (auto* q : {a.get(), b.get()}) {
    EXPECT_EQ(popJson(*q)["type"], "one");
    const auto two = popJson(*q);
    EXPECT_EQ(two["type"], "two");
    EXPECT_TRUE(two.contains("time_us"));
    EXPECT_FALSE(q->pop());
  }
  EXPECT_EQ(hub.published(), 2u);
}

TEST(EventHubTest, WakesOnlyWhenTheQueueWasEmpty) {
  EventHub hub;
  int wakes = 0;
  auto q = hub.subscribe([&] { ++wakes; });
  hub.publish({{"type", "a"}});
  hub.publish({{"type", "b"}});
  EXPECT_EQ(wakes, 1);
  while (q->pop()) {
  }
  hub.publish({{"type", "c"}});
  EXPECT_EQ(wakes, 2);
}

TEST(EventHubTest, ASlowSubscriberLosesItsOldestEventsAndIsTold) {
  EventHub hub;
  auto slow = hub.subscribe({}, 3);
  auto fast = hub.subscribe({}, 100);
  for (int i = 0; i < 10; ++i) hub.publish({{"type", "n"}, {"i", i}});
  const auto notice = popJson(*slow);
  EXPECT_EQ(notice["type"], "events_dropped");
  EXPECT_EQ(notice["count"], 7);
  EXPECT_EQ(popJson(*slow)["i"], 7);
  EXPECT_EQ(popJson(*slow)["i"], 8);
  EXPECT_EQ(popJson(*slow)["i"], 9);
  EXPECT_FALSE(slow->pop());
  EXPECT_EQ(slow->droppedTotal(), 7u);
  // The other subscriber is untouched.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(popJson(*fast)["i"], i);
}

TEST(EventHubTest, UnsubscribedQueuesGetNothing) {
  EventHub hub;
  auto q = hub.subscribe({});
  EXPECT_EQ(hub.subscriberCount(), 1u);
  hub.unsubscribe(q);
  EXPECT_EQ(hub.subscriberCount(), 0u);
  hub.publish({{"type", "x"}});
  EXPECT_FALSE(q->pop());
}

TEST(EventHubTest, PublishersOnManyThreadsWhileSubscribersComeAndGo) {
  EventHub hub;
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop) {
      auto q = hub.subscribe({}, 4);
      hub.publish({{"type", "churn"}});
      while (q->pop()) {
      }
      hub.unsubscribe(q);
    }
  });
  auto kept = hub.subscribe({}, 100000);
  std::vector<std::thread> publishers;
  for (int t = 0; t < 3; ++t) {
    publishers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) hub.publish({{"type", "p"}});
    });
  }
  for (auto& p : publishers) p.join();
  stop = true;
  churn.join();
  std::size_t p_events = 0;
  while (auto text = kept->pop()) {
    if (json::parse(*text)["type"] == "p") ++p_events;
  }
  EXPECT_EQ(p_events, 6000u);
}

}  // namespace
}  // namespace framewire::transport::events
