#pragma once
// The live list of streaming clients (Direct and MJPEG sessions) for /api/state.
//
// Threads: sessions add and remove themselves on their strands and bump their counters with
// relaxed atomics; snapshot() may run on any thread at the same time.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace framewire::transport {

struct ClientInfo {
  std::uint64_t id = 0;
  std::string mode;           // "direct", "direct-raw", "mjpeg"
  std::string remote;         // "ip:port"
  std::int64_t since_us = 0;  // wall clock, µs since the Unix epoch
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t bytes = 0;
};

// One client's entry, owned by its session and shared with the registry.
class ClientEntry {
 public:
  ClientEntry(std::uint64_t id, std::string mode, std::string remote, std::int64_t since_us)
      : id_(id), mode_(std::move(mode)), remote_(std::move(remote)), since_us_(since_us) {}

  void addSent(std::uint64_t bytes) {
    frames_sent_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void setDropped(std::uint64_t dropped) {
    frames_dropped_.store(dropped, std::memory_order_relaxed);
  }
  std::uint64_t id() const { return id_; }
  ClientInfo info() const;

 private:
  const std::uint64_t id_;
  const std::string mode_;
  const std::string remote_;
  const std::int64_t since_us_;
  std::atomic<std::uint64_t> frames_sent_{0};
  std::atomic<std::uint64_t> frames_dropped_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

class ClientRegistry {
 public:
  // Told of every add (joined = true) and remove (false), on the session's thread, outside the
  // registry's lock (/ws/events publishes client_joined / client_left from it). Must not block.
  using Listener = std::function<void(const ClientInfo& client, bool joined)>;

  std::shared_ptr<ClientEntry> add(std::string mode, std::string remote);
  void remove(const std::shared_ptr<ClientEntry>& entry);
  std::vector<ClientInfo> snapshot() const;
  void setListener(Listener listener);

 private:
  void notify(const ClientInfo& client, bool joined) const;

  mutable std::mutex mutex_;
  Listener listener_;
  std::uint64_t next_id_ = 1;
  std::vector<std::shared_ptr<ClientEntry>> entries_;
};

}  // namespace framewire::transport
