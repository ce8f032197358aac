#pragma once
// Logging: spdlog, one process-wide logger. Levels: trace, debug, info, warn, error, off.

#include <spdlog/spdlog.h>

#include <string_view>

namespace framewire::core {

// Returns false when `level` is not a known level name.
bool setLogLevel(std::string_view level);

}  // namespace framewire::core
