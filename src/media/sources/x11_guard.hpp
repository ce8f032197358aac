#pragma once
// Keeps a closed X display from ending the process.
//
// Xlib's answer to a lost display connection is exit(1) from inside whichever thread noticed
// (here: ximagesrc's streaming thread). The global I/O error handler gets the Display first;
// it swaps that display's exit handler (libX11 >= 1.7) for one that returns, so the call that
// noticed fails instead, and it counts the error so the capture can fail over to NO SIGNAL.

#include <cstdint>

namespace framewire::media {

void installX11Guard();           // idempotent, thread-safe
std::uint64_t x11IoErrors();      // closed-display errors seen so far

}  // namespace framewire::media
