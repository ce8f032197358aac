#pragma once
// Recording and broadcasting settings (docs/config.md, "Recording and broadcasting").

#include <cstdint>
#include <string>
#include <vector>

namespace framewire::config {

struct RecordSettings {
  std::string dir = "recordings";    // where recordings go (created when needed)
  bool autostart = false;             // start recording the main branch at start-up
  double segment_seconds = 0;         // cut a new file after this long; 0: one file
  std::uint64_t segment_mb = 0;       // cut a new file after this size; 0: no size limit
  std::uint64_t max_total_mb = 0;     // all recordings together; 0: unlimited
  int retention = 0;                  // keep at most this many files; 0: unlimited
  int fragment_ms = 1000;             // MP4 fragment length (what a crash can lose)
  std::vector<std::string> broadcast; // rtmp://, rtmps://, srt://, http:// (WHIP) from start-up
  std::string whip_token;             // bearer token for the WHIP endpoints in `broadcast`
  double broadcast_retry_max_s = 30;  // reconnect backoff ceiling
  double broadcast_keyframe_interval_s = 2;  // keyframe at least this often while broadcasting
};

// rtmp://, rtmps://, srt:// or http:// (a WHIP endpoint) with a host, no whitespace, quotes or
// control characters.
bool isBroadcastUrl(const std::string& url);

}  // namespace framewire::config
