#pragma once
// Recording and broadcasting over HTTP (docs/protocol.md, "Recording and broadcasting"):
//   POST   /api/record/start  [{"branch": "main"}]  → start recording (409 when already on)
//   POST   /api/record/stop                        → stop (409 when not recording)
//   GET    /api/recordings                         → the files (name, size, start time)
//   GET    /recordings/<name>   (HEAD, Range)      → download / seek (206)
//   DELETE /recordings/<name>                      → remove one (409 while being written)
//   GET    /api/broadcast                          → the broadcasts and their state
//   POST   /api/broadcast {"url", "action": "start"|"stop", "branch", "token" (WHIP)}
// It owns the recorder and the broadcasts; their events go to /ws/events, their state into
// /api/state ("recording", "broadcasts").
//
// Threads: handlers run on the connections' strands. Starting and stopping (a muxer finishing
// its file, a WHIP DELETE, a sink closing: up to seconds) run on one control thread of their
// own, in order; the request is answered from there when done, and the strand, the io threads
// and every other client go on meanwhile.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "net/router.hpp"

namespace framewire::bus {
class FrameBus;
}
namespace framewire::transport::events {
class EventHub;
}
namespace framewire::media {
class AudioEngine;
}
namespace framewire::record {
class Recorder;
class Broadcasts;
}  // namespace framewire::record
namespace framewire::transport::webrtc {
class SerialExecutor;
}

namespace framewire::server {

class RecordRoutes {
 public:
  // `audio` (null when off) is recorded next to the video when it is Opus.
  RecordRoutes(const config::Config& config, bus::FrameBus& h264,
               std::shared_ptr<transport::events::EventHub> events,
               media::AudioEngine* audio = nullptr);
  ~RecordRoutes();  // stop()
  RecordRoutes(const RecordRoutes&) = delete;
  RecordRoutes& operator=(const RecordRoutes&) = delete;

  // Autostart: the recording and the configured broadcasts.
  void start();
  // Finishes the recording and ends every broadcast. Safe to call twice.
  void stop();
  // Handlers refer to this object: it must outlive the router.
  void addTo(net::Router& router);
  // {"recording": {...}, "broadcasts": [...]}
  nlohmann::json state() const;

 private:
  bus::FrameBus* busFor(std::string_view branch) const;
  // Answers with what `job` returns, run on the control thread.
  net::Reply onControlThread(std::function<net::HttpResponse()> job);

  const config::Config config_;
  bus::FrameBus& h264_;
  std::shared_ptr<transport::events::EventHub> events_;
  std::unique_ptr<record::Recorder> recorder_;
  std::unique_ptr<record::Broadcasts> broadcasts_;
  std::unique_ptr<transport::webrtc::SerialExecutor> control_;
};

}  // namespace framewire::server
