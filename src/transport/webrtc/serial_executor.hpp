#pragma once
// One thread that runs posted tasks in order, now or after a delay: the WebRTC service's
// control executor (all peer state changes happen here, so they never race) and its feeder
// (frames into appsrc).
//
// Tasks must not throw (an escaping exception is caught and logged). stop() runs nothing
// more, joins the thread and drops pending tasks; it is called by the destructor.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace framewire::transport::webrtc {

class SerialExecutor {
 public:
  using Task = std::function<void()>;

  explicit SerialExecutor(std::string name);
  ~SerialExecutor();
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  void post(Task task);  // any thread; never blocks on the task
  void postAfter(std::chrono::milliseconds delay, Task task);
  void stop();
  bool onThisThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  using Clock = std::chrono::steady_clock;
  void run();

  const std::string name_;
  std::mutex mutex_;
  std::condition_variable cv_;
  // Keyed by (due time, sequence) so equal due times run in posting order.
  std::map<std::pair<Clock::time_point, std::uint64_t>, Task> tasks_;
  std::uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace framewire::transport::webrtc
