#pragma once
// The process's scheduling priority (the `nice` setting). Called on the main thread before any
// other thread exists: Linux keeps the nice value per thread and new threads inherit their
// creator's, so every capture, encoder, GStreamer and network thread started later runs at it.

namespace framewire::app {

// Sets the calling thread's nice value to `nice` unless it is 0 (leave it) or the process
// already runs at that priority or a higher one. Without the right to raise priority (root or
// CAP_SYS_NICE) it logs one line and changes nothing. Returns the nice value now in effect.
int applyNice(int nice);

}  // namespace framewire::app
