#include "media/control_loop.hpp"

#include <exception>
#include <future>
#include <memory>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace framewire::media {

ControlLoop::ControlLoop() : thread_([this] { run(); }) {}

ControlLoop::~ControlLoop() { stop(); }

void ControlLoop::post(Task task) { postDelayed(0, std::move(task)); }

ControlLoop::TaskId ControlLoop::postDelayed(std::int64_t delay_us, Task task) {
  const std::int64_t due = core::steadyMicros() + (delay_us > 0 ? delay_us : 0);
  TaskId id;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return 0;
    id = next_id_++;
    tasks_.emplace(std::make_pair(due, id), std::move(task));
  }
  wake_.notify_one();
  return id;
}

void ControlLoop::cancel(TaskId id) {
  if (id == 0) return;
  std::lock_guard lock(mutex_);
  std::erase_if(tasks_, [id](const auto& entry) { return entry.first.second == id; });
}

void ControlLoop::runSync(Task task) {
  // The promise lives in the task: if stop() drops the task unrun, the broken promise still
  // releases the waiter. An exception from `task` is rethrown to the caller.
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  const TaskId id = postDelayed(0, [&task, done] {
    try {
      task();
      done->set_value();
    } catch (...) {
      done->set_exception(std::current_exception());
    }
  });
  if (id == 0) return;  // stopped: nothing runs any more
  try {
    future.get();
  } catch (const std::future_error&) {
    // dropped by stop(): nothing to report
  }
}

void ControlLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    tasks_.clear();
  }
  wake_.notify_one();
  if (thread_.joinable() && !onLoopThread()) thread_.join();
}

void ControlLoop::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (tasks_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto first = tasks_.begin();
    const std::int64_t now = core::steadyMicros();
    if (first->first.first > now) {
      wake_.wait_for(lock, std::chrono::microseconds(first->first.first - now));
      continue;
    }
    Task task = std::move(first->second);
    tasks_.erase(first);
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("media control task failed: {}", e.what());
    } catch (...) {
      spdlog::error("media control task failed with an unknown exception");
    }
    lock.lock();
  }
}

}  // namespace framewire::media
