#include "transport/webrtc/serial_executor.hpp"

#include <pthread.h>

#include <exception>

#include "core/log.hpp"

namespace framewire::transport::webrtc {

SerialExecutor::SerialExecutor(std::string name) : name_(std::move(name)) {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

SerialExecutor::~SerialExecutor() { stop(); }

void SerialExecutor::post(Task task) { postAfter(std::chrono::milliseconds(0), std::move(task)); }

void SerialExecutor::postAfter(std::chrono::milliseconds delay, Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.emplace(std::make_pair(Clock::now() + delay, next_sequence_++), std::move(task));
  }
  cv_.notify_one();
}

void SerialExecutor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable() && !onThisThread()) thread_.join();
  std::map<std::pair<Clock::time_point, std::uint64_t>, Task> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(tasks_);
  }
  // `dropped` is destroyed here, outside the lock: tasks may own objects whose destructors post.
}

void SerialExecutor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (tasks_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto due = tasks_.begin()->first.first;
    if (due > Clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    Task task = std::move(tasks_.begin()->second);
    tasks_.erase(tasks_.begin());
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("{}: task failed: {}", name_, e.what());
    } catch (...) {
      spdlog::error("{}: task failed", name_);
    }
    task = nullptr;  // destroy captures outside the lock
    lock.lock();
  }
}

}  // namespace framewire::transport::webrtc
