#include "app/process_priority.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "core/log.hpp"

namespace framewire::app {

int applyNice(int nice) {
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, 0);  // -1 is a valid value: errno tells
  if (errno != 0) return 0;
  if (nice == 0 || current <= nice) return current;
  if (setpriority(PRIO_PROCESS, 0, nice) != 0) {
    spdlog::info("nice {}: not permitted ({}); running at nice {} (raising priority needs root or "
                 "CAP_SYS_NICE; `nice: 0` silences this)",
                 nice, std::strerror(errno), current);
    return current;
  }
  spdlog::info("running at nice {} (setting `nice`)", nice);
  return nice;
}

}  // namespace framewire::app
