#include "transport/webrtc/send_path.hpp"

#include "transport/webrtc/gst_ref.hpp"

namespace framewire::transport::webrtc {

// Links `src` ! `pay` ! a new webrtcbin sink pad and returns that pad's transceiver (a
// reference the caller unrefs), or nullptr with `error` set. `pay_name` names it in errors.
GstWebRTCRTPTransceiver* linkSendPath(GstElement* src, GstElement* pay, GstElement* webrtcbin,
                                      const std::string& pay_name, std::string* error) {
  if (!gst_element_link(src, pay)) {
    *error = std::string("cannot link ") + GST_OBJECT_NAME(src) + " to " + pay_name;
    return nullptr;
  }
  PadRef sink(gst_element_request_pad_simple(webrtcbin, "sink_%u"));
  PadRef pay_src(gst_element_get_static_pad(pay, "src"));
  if (!sink || gst_pad_link(pay_src.get(), sink.get()) != GST_PAD_LINK_OK) {
    *error = "cannot link " + pay_name + " to webrtcbin";
    return nullptr;
  }
  GstWebRTCRTPTransceiver* transceiver = nullptr;
  g_object_get(sink.get(), "transceiver", &transceiver, nullptr);
  if (!transceiver) *error = "webrtcbin gave no transceiver for the " + pay_name + " sink pad";
  return transceiver;
}

GstBuffer* wrapFrame(const core::FramePtr& frame) {
  auto* holder = new core::FramePtr(frame);
  return gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(frame->data), frame->size, 0,
      frame->size, holder, [](gpointer p) { delete static_cast<core::FramePtr*>(p); });
}

}  // namespace framewire::transport::webrtc
