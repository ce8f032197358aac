#pragma once
// Broadcaster: pushes one H.264 branch, as it is encoded, to an RTMP server (FLV:
// h264parse ! flvmux ! rtmp2sink) or an SRT listener (MPEG-TS: h264parse ! mpegtsmux !
// srtsink), with the sound as AAC when the server has Opus audio (decoded and encoded again
// once per broadcast; see BroadcastAudio). When the server is unreachable or goes away, it reconnects by itself with
// exponential backoff (1 s, 2 s, 4 s … up to `retry_max_s`), each time starting at a keyframe
// it asks for.
//
// While it runs it asks the branch for a keyframe whenever none came for `keyframe_interval_s`
// (0: never): an RTMP server such as nginx-rtmp keeps no keyframe for players that join later,
// so with a long or infinite GOP (gop 0) they would wait for a picture forever.
//
// Like the recorder it is an ordinary FrameBus subscriber with its own thread and mailbox, so
// a slow or stuck network never slows live viewers.
//
// Events (JSON, "type"): broadcast_started, broadcast_connected (first frames accepted),
// broadcast_error (with "retry_in_s"), broadcast_stopped. URLs in events and state have their
// secrets (stream key, SRT passphrase and options) hidden.
//
// Threads: start/stop/state from any thread.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bus/frame_bus.hpp"
#include "record/recorder.hpp"  // EventSink
#include "record/whip_publisher.hpp"

namespace framewire::record {

// The sound that goes along (the audio bus's Opus; null bus: video only). RTMP and SRT carry
// it as AAC, re-encoded once per broadcast; WHIP publishes video only.
struct BroadcastAudio {
  bus::FrameBus* bus = nullptr;
  int channels = 2;
};

// "rtmp://host/app/KEY" → "rtmp://host/app/***"; "srt://host:port?passphrase=x" →
// "srt://host:port?***".
std::string redactUrl(const std::string& url);

class Broadcaster {
 public:
  Broadcaster(bus::FrameBus& bus, std::string url, double retry_max_s,
              double keyframe_interval_s, EventSink events, BroadcastAudio audio = {});
  ~Broadcaster();  // stop()
  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  void stop();
  const std::string& url() const { return url_; }
  // {"url" (redacted), "branch", "state": connecting|live|retrying|stopped, "since", "frames",
  //  "bytes", "dropped", "reconnects", "last_error"}
  nlohmann::json state() const;

 private:
  class Feed;
  const std::string url_;
  std::unique_ptr<Feed> feed_;
};

// Every broadcast of the server, by URL: rtmp://, rtmps:// and srt:// go to a Broadcaster,
// http:// (a WHIP endpoint) to a WhipPublisher with the bearer token.
class Broadcasts {
 public:
  Broadcasts(double retry_max_s, double keyframe_interval_s, EventSink events)
      : retry_max_s_(retry_max_s), keyframe_interval_s_(keyframe_interval_s), events_(events) {}
  // Sound for the RTMP and SRT broadcasts started from now on. Before start().
  void setAudio(BroadcastAudio audio) { audio_ = audio; }
  // Empty string, or why not ("already broadcasting to …").
  std::string start(bus::FrameBus& bus, const std::string& url, const std::string& token = {});
  bool stop(const std::string& url);  // false when that URL is not broadcasting
  void stopAll();
  nlohmann::json state() const;  // array

 private:
  const double retry_max_s_;
  const double keyframe_interval_s_;
  const EventSink events_;
  BroadcastAudio audio_;
  struct Entry {
    std::string url;
    std::unique_ptr<Broadcaster> push;   // RTMP, SRT
    std::unique_ptr<WhipPublisher> whip;  // WHIP
    void stop();
    nlohmann::json state() const;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> list_;
};

}  // namespace framewire::record
