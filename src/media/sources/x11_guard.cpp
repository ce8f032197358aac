#include "media/sources/x11_guard.hpp"

#include <X11/Xlib.h>

#include <atomic>
#include <mutex>

namespace framewire::media {
namespace {

std::atomic<std::uint64_t> g_io_errors{0};

void keepRunning(Display*, void*) {}  // returning makes Xlib calls fail instead of exiting

int onIoError(Display* display) {
  g_io_errors.fetch_add(1);
  XSetIOErrorExitHandler(display, &keepRunning, nullptr);
  return 0;
}

}  // namespace

void installX11Guard() {
  static std::once_flag once;
  std::call_once(once, [] {
    // ximagesrc uses Xlib from its own streaming thread while other code may use it too.
    XInitThreads();
    XSetIOErrorHandler(&onIoError);
  });
}

std::uint64_t x11IoErrors() { return g_io_errors.load(); }

}  // namespace framewire::media
