#pragma once
// ControlLoop: one thread that runs control work in order (pipeline state changes, GStreamer
// bus messages, keyframe requests, demand changes), so state changes never race.
//
// post() and postDelayed() may be called from any thread, including GStreamer streaming
// threads and the loop itself; they never block on running work. Tasks posted after stop()
// are dropped. A task must not throw (an escaping exception is logged and swallowed).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace framewire::media {

class ControlLoop {
 public:
  using Task = std::function<void()>;
  using TaskId = std::uint64_t;

  ControlLoop();
  ~ControlLoop();  // calls stop()
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  void post(Task task);
  // Runs `task` after `delay_us`; the id can cancel it until it starts.
  TaskId postDelayed(std::int64_t delay_us, Task task);
  void cancel(TaskId id);

  // Runs `task` on the loop and waits for it, rethrowing what it throws. Must not be called
  // from the loop thread. Returns at once after stop().
  void runSync(Task task);

  bool onLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Drops pending tasks and joins the thread; safe to call twice.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  // Keyed by (due time in steady µs, id): earliest first, FIFO among equal due times.
  std::map<std::pair<std::int64_t, TaskId>, Task> tasks_;
  TaskId next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace framewire::media
