#pragma once
// What the media engine tells and takes about its encoded branches' settings (no GStreamer):
// /api/state shows CodecBranchSettings, POST /api/settings hands in a SettingsRequest.

#include <optional>
#include <string>

namespace framewire::media {

// A branch's settings as they are now (for /api/state and /api/settings).
struct CodecBranchSettings {
  std::string id;
  std::string codec;
  std::string encoder;  // the element, or "custom" for a raw description
  bool hardware = false;
  bool live_bitrate = false;
  int width = 0;
  int height = 0;
  int fps = 0;
  int bitrate_kbps = 0;
  int gop = 0;
  // Set when the encoder first chosen failed at run time and the branch moved down its
  // `auto` list: "vah264enc failed (<reason>); now x264enc".
  std::string fallback_reason;
};

// A change asked for through POST /api/settings; unset fields stay.
struct BranchChange {
  std::optional<int> bitrate_kbps;
  std::optional<int> fps;
  std::optional<int> gop;
  std::optional<int> width;
  std::optional<int> height;
};

// Refuses a change a branch cannot take: throws std::invalid_argument naming the key, the value
// and what is valid (bitrate within [min_kbps, max_kbps], even sizes...). Changes nothing.
void checkBranchChange(const BranchChange& change, int min_kbps, int max_kbps);

// POST /api/settings: one branch's change, and/or the JPEG quality (MJPEG and snapshots).
struct SettingsRequest {
  std::string branch;  // empty: the default branch
  BranchChange change;
  std::optional<int> jpeg_quality;
};

struct SettingsResult {
  std::string branch;
  std::string applied;  // "live", "rebuilt", "next start" or "unchanged"
};

struct SettingsOutcome {
  int status = 200;  // 404: unknown branch; 400: a refused value (nothing changed)
  std::string error;
  SettingsResult result;
};

}  // namespace framewire::media
