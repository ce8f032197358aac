#pragma once
// The recording directory: file names, the listing, safe names from clients, and the limits
// (retention count, total size). Std-only, so it is unit-tested without GStreamer.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace framewire::record {

// "framewire-main-20261122-024701-123.mp4": branch and start time (UTC, milliseconds), so
// names sort by start time and never collide within a branch.
std::string recordingFileName(std::string_view branch, std::int64_t start_wall_us,
                              std::string_view extension = "mp4");

// A name a client may ask for: one path component of [A-Za-z0-9._-], not starting with '.',
// ending in ".mp4", at most 200 characters. Everything else (slashes, "..", NUL, percent
// tricks already decoded) is refused.
bool isSafeRecordingName(std::string_view name);

struct RecordingFile {
  std::string name;
  std::uint64_t size = 0;
  std::int64_t modified_us = 0;  // wall clock, µs since the Unix epoch
};

// The recordings (safe names only, regular files) in `dir`, oldest name first. An absent
// directory is an empty list.
std::vector<RecordingFile> listRecordings(const std::filesystem::path& dir);

// Deletes the oldest recordings until at most `max_files` remain (0: no count limit) and
// their total is at most `max_total_bytes` (0: no size limit). `keep` (the file being
// written) is never deleted. Returns the names deleted.
std::vector<std::string> enforceLimits(const std::filesystem::path& dir, std::string_view keep,
                                       std::size_t max_files, std::uint64_t max_total_bytes);

}  // namespace framewire::record
