// Recording and broadcasting settings. Every error names the key, the value and what would
// be valid.

#include <fmt/format.h>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/value_parsers.hpp"

namespace framewire::config {
namespace {

bool parseOnOff(const std::string& where, const std::string& value) {
  if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
  if (value == "false" || value == "no" || value == "off" || value == "0") return false;
  throw ConfigError(fmt::format("{}: '{}' is not valid: must be true or false", where, value));
}

}  // namespace

bool isBroadcastUrl(const std::string& url) {
  const bool scheme = url.starts_with("rtmp://") || url.starts_with("rtmps://") ||
                      url.starts_with("srt://") || url.starts_with("http://");
  if (!scheme || url.size() > 2000) return false;
  const auto host_start = url.find("://") + 3;
  if (host_start >= url.size() || url[host_start] == '/' || url[host_start] == ':') return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '\\') return false;
  }
  return true;
}

void addRecordSettings(std::vector<Setting>& t) {
  const RecordSettings d;
  t.push_back({{"record-dir", "DIR", "directory for recordings (created when needed)", d.dir},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (v.empty()) throw ConfigError(w + ": must not be empty");
                 c.record.dir = v;
               }});
  t.push_back({{"record-autostart", "BOOL", "start recording the main branch at start-up",
                d.autostart ? "true" : "false"},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.autostart = parseOnOff(w, v);
               }});
  t.push_back({{"record-segment-seconds", "SECONDS",
                "start a new file after this long (cut at a keyframe), 0 = one file, 0 to 86400",
                fmt::format("{:g}", d.segment_seconds)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.segment_seconds = parseNumber(w, v, 0, 86400);
               }});
  t.push_back({{"record-segment-mb", "MB",
                "start a new file after this many MB, 0 = no size limit, 0 to 1000000",
                std::to_string(d.segment_mb)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.segment_mb = static_cast<std::uint64_t>(parseInteger(w, v, 0, 1000000));
               }});
  t.push_back({{"record-max-total-mb", "MB",
                "all recordings together at most this many MB (oldest deleted first; the "
                "recording stops when it alone is larger), 0 = unlimited",
                std::to_string(d.max_total_mb)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.max_total_mb =
                     static_cast<std::uint64_t>(parseInteger(w, v, 0, 100000000));
               }});
  t.push_back({{"record-retention", "N",
                "keep at most N recordings (oldest deleted first), 0 = unlimited, 0 to 100000",
                std::to_string(d.retention)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.retention = static_cast<int>(parseInteger(w, v, 0, 100000));
               }});
  t.push_back({{"record-fragment-ms", "MS",
                "MP4 fragment length: at most this much is lost when the process dies, "
                "100 to 10000",
                std::to_string(d.fragment_ms)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.fragment_ms = static_cast<int>(parseInteger(w, v, 100, 10000));
               }});
  t.push_back({{"broadcast", "URL",
                "push the main branch to this rtmp://, rtmps://, srt:// URL or http:// WHIP "
                "endpoint from start-up (repeatable)",
                ""},
               [](Config& c, const std::string& w, const std::string& v) {
                 if (!isBroadcastUrl(v)) {
                   throw ConfigError(fmt::format(
                       "{}: '{}' is not valid: must be rtmp://HOST[:PORT]/APP/KEY, "
                       "rtmps://…, srt://HOST:PORT[?options] or http://HOST[:PORT]/PATH (WHIP)",
                       w, v));
                 }
                 c.record.broadcast.push_back(v);
               },
               [](Config& c) { c.record.broadcast.clear(); }});
  t.push_back({{"broadcast-retry-max", "SECONDS",
                "longest wait between reconnect attempts of a broadcast, 1 to 3600",
                fmt::format("{:g}", d.broadcast_retry_max_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.broadcast_retry_max_s = parseNumber(w, v, 1, 3600);
               }});
  t.push_back({{"whip-token", "TOKEN",
                "bearer token sent to the WHIP endpoints given with --broadcast (empty: none)",
                ""},
               [](Config& c, const std::string&, const std::string& v) {
                 c.record.whip_token = v;
               }});
  t.push_back({{"broadcast-keyframe-interval", "SECONDS",
                "while a broadcast runs, ask the branch for a keyframe at least this often so "
                "late joiners of the server get a picture (also with gop 0), 0 = off, 0 to 60",
                fmt::format("{:g}", d.broadcast_keyframe_interval_s)},
               [](Config& c, const std::string& w, const std::string& v) {
                 c.record.broadcast_keyframe_interval_s = parseNumber(w, v, 0, 60);
               }});
}

}  // namespace framewire::config
