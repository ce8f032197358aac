#include "transport/client_registry.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace framewire::transport {

ClientInfo ClientEntry::info() const {
  ClientInfo info;
  info.id = id_;
  info.mode = mode_;
  info.remote = remote_;
  info.since_us = since_us_;
  info.frames_sent = frames_sent_.load(std::memory_order_relaxed);
  info.frames_dropped = frames_dropped_.load(std::memory_order_relaxed);
  info.bytes = bytes_.load(std::memory_order_relaxed);
  return info;
}

std::shared_ptr<ClientEntry> ClientRegistry::add(std::string mode, std::string remote) {
  std::shared_ptr<ClientEntry> entry;
  {
    std::lock_guard lock(mutex_);
    entry = std::make_shared<ClientEntry>(next_id_++, std::move(mode), std::move(remote),
                                          core::wallClockMicros());
    entries_.push_back(entry);
  }
  notify(entry->info(), true);
  return entry;
}

void ClientRegistry::remove(const std::shared_ptr<ClientEntry>& entry) {
  if (!entry) return;
  std::size_t erased = 0;
  {
    std::lock_guard lock(mutex_);
    erased = std::erase(entries_, entry);
  }
  if (erased > 0) notify(entry->info(), false);
}

void ClientRegistry::setListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void ClientRegistry::notify(const ClientInfo& client, bool joined) const {
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    listener = listener_;
  }
  if (!listener) return;
  try {
    listener(client, joined);
  } catch (...) {
    // A listener's failure must not take a session down with it.
  }
}

std::vector<ClientInfo> ClientRegistry::snapshot() const {
  std::vector<std::shared_ptr<ClientEntry>> entries;
  {
    std::lock_guard lock(mutex_);
    entries = entries_;
  }
  std::vector<ClientInfo> out;
  out.reserve(entries.size());
  for (const auto& entry : entries) out.push_back(entry->info());
  return out;
}

}  // namespace framewire::transport
