#pragma once
// The pieces a peer's send path shares between its video and audio tracks: linking an
// appsrc ! payloader onto webrtcbin, and handing a bus frame to GStreamer without a copy.

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <string>

#include "core/encoded_frame.hpp"

namespace framewire::transport::webrtc {

// Links `src` ! `pay` ! a new webrtcbin sink pad and returns that pad's transceiver (a
// reference the caller unrefs), or nullptr with `error` set. `pay_name` names it in errors.
GstWebRTCRTPTransceiver* linkSendPath(GstElement* src, GstElement* pay, GstElement* webrtcbin,
                                      const std::string& pay_name, std::string* error);

// A read-only buffer over the frame's bytes that keeps the frame alive until GStreamer is done.
GstBuffer* wrapFrame(const core::FramePtr& frame);

}  // namespace framewire::transport::webrtc
