#pragma once
// The real machine behind the encoder registry's Probe: GStreamer element factories, and the
// devices hardware encoders need (/dev/dri/renderD*, /dev/nvidia*, a /dev/video* node that is
// a memory-to-memory encoder). Calls gst_init if needed.

#include "media/encoders/encoder_registry.hpp"

namespace framewire::media::encoders {

Probe systemProbe();

}  // namespace framewire::media::encoders
