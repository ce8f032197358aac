#pragma once
// RAII owners for the GStreamer handles this folder uses, so nothing here calls unref by hand.
// (transport/ does not depend on media/, so this is a small sibling of media/gst_ptr.hpp.)

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <memory>

namespace framewire::transport::webrtc {

struct GstObjectUnref {
  void operator()(gpointer p) const { gst_object_unref(p); }
};
struct GstMiniObjectUnref {
  void operator()(gpointer p) const { gst_mini_object_unref(GST_MINI_OBJECT_CAST(p)); }
};
struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
struct PromiseUnref {
  void operator()(GstPromise* p) const { gst_promise_unref(p); }
};
struct StructureFree {
  void operator()(GstStructure* s) const { gst_structure_free(s); }
};
struct SessionDescriptionFree {
  void operator()(GstWebRTCSessionDescription* d) const { gst_webrtc_session_description_free(d); }
};

using ElementRef = std::unique_ptr<GstElement, GstObjectUnref>;
using PadRef = std::unique_ptr<GstPad, GstObjectUnref>;
using BusRef = std::unique_ptr<GstBus, GstObjectUnref>;
using CapsRef = std::unique_ptr<GstCaps, GstMiniObjectUnref>;
using PromiseRef = std::unique_ptr<GstPromise, PromiseUnref>;
using StructureRef = std::unique_ptr<GstStructure, StructureFree>;
using SessionDescriptionRef = std::unique_ptr<GstWebRTCSessionDescription, SessionDescriptionFree>;
using CharRef = std::unique_ptr<gchar, GFree>;

}  // namespace framewire::transport::webrtc
