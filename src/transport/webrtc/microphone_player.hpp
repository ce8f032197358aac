#pragma once
// MicrophonePlayer: plays the viewer's microphone into a PulseAudio sink on the host, as neko
// and PiKVM do (docs/config.md, `microphone`). Peers hand it their depayloaded audio (Opus,
// or G.711 / G.722 when that is the server's audio codec); it keeps one small pipeline
//   appsrc ! opusdec|mulawdec|alawdec|avdec_g722 ! audioconvert ! audioresample ! pulsesink
// of its own, apart from every peer's, so a missing PulseAudio server or sink is one log line
// and a retry later, never an error in a peer's pipeline (the picture is not affected).
// One viewer at a time (MicrophoneSlot): other viewers' audio is ignored while the holder
// speaks.
//
// Threads: push() from peers' streaming threads (never blocks: the pipeline is (re)built on
// the player's own thread, frames are dropped meanwhile); release(), state() and stop() from
// any thread.

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "transport/webrtc/gst_ref.hpp"
#include "transport/webrtc/microphone_settings.hpp"
#include "transport/webrtc/microphone_slot.hpp"

namespace framewire::transport::webrtc {

class SerialExecutor;

class MicrophonePlayer {
 public:
  explicit MicrophonePlayer(MicrophoneSettings settings);
  ~MicrophonePlayer();  // stop()
  MicrophonePlayer(const MicrophonePlayer&) = delete;
  MicrophonePlayer& operator=(const MicrophonePlayer&) = delete;

  // One depayloaded frame of `peer` (takes `buffer`; `caps` are borrowed).
  void push(const std::string& peer, GstBuffer* buffer, GstCaps* caps);
  // The peer is gone: frees the slot (and stops the pipeline) if it held it.
  void release(const std::string& peer);
  // {"enabled": true, "sink", "holder", "playing", "frames", "ignored", "error"}
  nlohmann::json state() const;
  void stop();

 private:
  void start(std::string caps_text, std::uint64_t generation);  // player thread
  void shutDown();                                              // player thread
  void onError(std::uint64_t generation, const std::string& text);  // player thread

  const MicrophoneSettings settings_;
  MicrophoneSlot slot_;
  std::unique_ptr<SerialExecutor> thread_;

  mutable std::mutex mutex_;  // guards the fields below
  ElementRef pipeline_;
  GstElement* src_ = nullptr;  // owned by pipeline_
  std::string caps_text_;      // what pipeline_ decodes
  bool starting_ = false;
  bool playing_ = false;
  std::uint64_t generation_ = 0;  // bumped per pipeline: stale errors are ignored
  std::int64_t retry_at_us_ = 0;
  std::string error_;
  bool failing_ = false;  // a failure was logged and nothing played since
  std::set<std::string> ignored_peers_;  // logged once each
  std::uint64_t frames_ = 0;
  std::uint64_t frames_since_start_ = 0;
  std::uint64_t ignored_ = 0;
  bool stopped_ = false;
};

}  // namespace framewire::transport::webrtc
