#pragma once
// Wraps an encoded GstBuffer as a core::EncodedFrame without copying its bytes: the frame's
// owner holds a reference to the buffer and its read mapping, and its deleter unmaps and unrefs
// it when the last subscriber lets go.

#include <gst/gst.h>

#include "core/encoded_frame.hpp"

namespace framewire::media {

// Takes a new reference to `buffer`. Returns a frame whose data/size are set (codec, times and
// the rest are the caller's to fill), or nullptr when the buffer cannot be mapped.
std::shared_ptr<core::EncodedFrame> wrapBuffer(GstBuffer* buffer);

}  // namespace framewire::media
