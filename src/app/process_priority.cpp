#include "app/process_priority.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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
  // With autogroup scheduling (most desktop and server kernels) a thread's nice ranks it only
  // against the threads of its own session: other sessions share the cores by their
  // autogroup's nice. Without this a build in another shell still took half the machine
  // from framewire's capture and encode threads whatever their nice.
  std::ofstream autogroup("/proc/self/autogroup");
  if (autogroup && (autogroup << nice << std::flush)) {
    spdlog::info("running at nice {}, and so does its autogroup (setting `nice`)", nice);
  } else {
    spdlog::info("running at nice {} (setting `nice`)", nice);
  }
  return nice;
}

}  // namespace framewire::app
