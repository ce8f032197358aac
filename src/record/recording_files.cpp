#include "record/recording_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <system_error>

namespace framewire::record {

namespace fs = std::filesystem;

std::string recordingFileName(std::string_view branch, std::int64_t start_wall_us,
                              std::string_view extension) {
  const std::time_t seconds = static_cast<std::time_t>(start_wall_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  std::string safe_branch;
  for (char c : branch) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    safe_branch += ok ? c : '_';
  }
  return fmt::format("framewire-{}-{}-{:03}.{}", safe_branch, stamp,
                     (start_wall_us / 1000) % 1000, extension);
}

bool isSafeRecordingName(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  if (name.find("..") != std::string_view::npos) return false;
  return name.ends_with(".mp4") && name.size() > 4;
}

std::vector<RecordingFile> listRecordings(const fs::path& dir) {
  std::vector<RecordingFile> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!isSafeRecordingName(name)) continue;
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec) || it->is_symlink(file_ec)) continue;
    RecordingFile file;
    file.name = name;
    file.size = it->file_size(file_ec);
    if (file_ec) continue;
    const auto modified = it->last_write_time(file_ec);
    if (!file_ec) {
      const auto system = std::chrono::file_clock::to_sys(modified);
      file.modified_us =
          std::chrono::duration_cast<std::chrono::microseconds>(system.time_since_epoch()).count();
    }
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(),
            [](const RecordingFile& a, const RecordingFile& b) { return a.name < b.name; });
  return files;
}

std::vector<std::string> enforceLimits(const fs::path& dir, std::string_view keep,
                                       std::size_t max_files, std::uint64_t max_total_bytes) {
  std::vector<std::string> deleted;
  if (max_files == 0 && max_total_bytes == 0) return deleted;
  auto files = listRecordings(dir);
  std::uint64_t total = 0;
  for (const auto& file : files) total += file.size;
  std::size_t count = files.size();
  for (const auto& file : files) {  // oldest first
    const bool too_many = max_files > 0 && count > max_files;
    const bool too_big = max_total_bytes > 0 && total > max_total_bytes;
    if (!too_many && !too_big) break;
    if (file.name == keep) continue;
    std::error_code ec;
    if (fs::remove(dir / file.name, ec) && !ec) {
      deleted.push_back(file.name);
      total -= file.size;
      --count;
    }
  }
  return deleted;
}

}  // namespace framewire::record
