// SerialExecutor (the WebRTC service's control and feeder thread): tasks posted from many
// threads run one at a time in posting order per thread, delayed tasks wait, and stop() while
// others keep posting neither runs more nor races (run under ThreadSanitizer).
#include "transport/webrtc/serial_executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace framewire::transport::webrtc {
namespace {

using namespace std::chrono_literals;

TEST(SerialExecutorThreads, TasksFromManyThreadsRunOneAtATimeInOrder) {
  SerialExecutor executor("fw-test-exec");
  constexpr int kThreads = 4;
  constexpr int kTasks = 500;
  std::vector<int> last_seen(kThreads, -1);  // touched only by tasks (one at a time)
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> out_of_order{0};
  std::atomic<int> ran{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kTasks; ++i) {
        executor.post([&, t, i] {
          if (inside.fetch_add(1) != 0) ++overlaps;
          if (last_seen[t] != i - 1) ++out_of_order;
          last_seen[t] = i;
          EXPECT_TRUE(executor.onThisThread());
          inside.fetch_sub(1);
          ++ran;
        });
      }
    });
  }
  for (auto& p : posters) p.join();
  std::atomic<bool> done{false};
  executor.post([&] { done = true; });
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(done);
  EXPECT_EQ(ran, kThreads * kTasks);
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(out_of_order, 0);
}

TEST(SerialExecutorThreads, DelayedTasksRunAfterTheirDelay) {
  SerialExecutor executor("fw-test-delay");
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::int64_t> waited_ms{-1};
  executor.postAfter(50ms, [&] {
    waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  });
  const auto until = start + 20s;
  while (waited_ms < 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(waited_ms, 50);
}

TEST(SerialExecutorThreads, StopWhileOthersPostRunsNothingMore) {
  std::atomic<int> ran_after_stop{0};
  std::atomic<bool> stopped{false};
  {
    SerialExecutor executor("fw-test-stop");
    std::atomic<bool> posting{true};
    std::vector<std::thread> posters;
    for (int t = 0; t < 3; ++t) {
      posters.emplace_back([&] {
        while (posting) {
          executor.post([&] {
            if (stopped) ++ran_after_stop;
          });
          executor.postAfter(1ms, [] {});
        }
      });
    }
    std::this_thread::sleep_for(50ms);
    executor.stop();
    stopped = true;
    std::this_thread::sleep_for(20ms);
    posting = false;
    for (auto& p : posters) p.join();
  }
  EXPECT_EQ(ran_after_stop, 0);
}

}  // namespace
}  // namespace framewire::transport::webrtc
