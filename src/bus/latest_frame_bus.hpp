#pragma once
// The JPEG side of the bus: only the newest frame is kept. MJPEG clients take the newest
// picture whenever their socket is ready for one, so a slow client skips pictures instead of
// falling behind; /snapshot takes one picture.
//
// Threads: publish() on the JPEG encoder's thread; watchers' `wake` is called there too (it
// must only post). The demand listener works as on FrameBus: it is told the watcher count.
// Per-stage times as on FrameBus: publish() adds capture → encoder and the encode, the MJPEG
// sessions add encoded → sent and capture → sent (recordSent, on their strands).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/rate_meter.hpp"
#include "bus/sample_window.hpp"
#include "core/encoded_frame.hpp"

namespace framewire::bus {

class LatestFrameBus;

// A watcher's handle. take() returns the newest frame not yet taken by this watcher.
class LatestWatcher {
 public:
  explicit LatestWatcher(std::function<void()> wake) : wake_(std::move(wake)) {}
  core::FramePtr take();
  std::uint64_t framesTaken() const;

 private:
  friend class LatestFrameBus;
  void offer(const core::FramePtr& frame);
  void close();

  std::function<void()> wake_;
  mutable std::mutex mutex_;
  core::FramePtr newest_;
  std::uint64_t taken_ = 0;
  bool closed_ = false;
};

// Per-stage latency of recent pictures, µs (the names of FrameBusStats).
struct LatestFrameBusStages {
  SampleSummary source_to_encoder;  // capture → handed to the encoder (queue included)
  SampleSummary encode;             // handed to the encoder → encoded
  SampleSummary encoded_to_sent;    // encoded → written to a client socket
  SampleSummary capture_to_sent;    // capture → written to a client socket
};

class LatestFrameBus {
 public:
  explicit LatestFrameBus(std::string name) : name_(std::move(name)) {}

  std::shared_ptr<LatestWatcher> watch(std::function<void()> wake);
  void unwatch(const std::shared_ptr<LatestWatcher>& watcher);
  std::size_t watcherCount() const;

  void publish(const core::FramePtr& frame);
  core::FramePtr latest() const;

  void setDemandListener(std::function<void(std::size_t watchers)> listener);

  std::uint64_t framesPublished() const;
  double fps() const;
  double kbps() const;

  // A client wrote `frame` to its socket at `written_wall_us` (any thread).
  void recordSent(const core::EncodedFrame& frame, std::int64_t written_wall_us);
  LatestFrameBusStages stages() const;

 private:
  void notifyDemand();

  const std::string name_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<LatestWatcher>> watchers_;
  core::FramePtr latest_;
  std::uint64_t frames_published_ = 0;
  std::function<void(std::size_t)> demand_listener_;
  std::mutex demand_mutex_;
  RateMeter rate_;
  SampleWindow source_to_encoder_;
  SampleWindow encode_;
  SampleWindow encoded_to_sent_;
  SampleWindow capture_to_sent_;
};

}  // namespace framewire::bus
