#pragma once
// RAII owners for GStreamer and GLib handles, so no code outside this header calls unref.
//
// GstPtr<T> is a unique_ptr whose deleter knows how T is released (gst_object_unref for
// GstObject types, gst_mini_object_unref for buffers/samples/caps/events/messages, g_free and
// g_error_free for GLib allocations). Take ownership of a "transfer full" return value with
// adopt(); take a new reference to a borrowed pointer with ref().

#include <gst/gst.h>

#include <memory>

namespace framewire::media {

template <typename T>
struct GstUnref;

#define FW_GST_OBJECT_UNREF(Type)                           \
  template <>                                               \
  struct GstUnref<Type> {                                   \
    void operator()(Type* p) const { gst_object_unref(p); } \
  }
#define FW_GST_MINI_OBJECT_UNREF(Type)                                                 \
  template <>                                                                          \
  struct GstUnref<Type> {                                                              \
    void operator()(Type* p) const { gst_mini_object_unref(GST_MINI_OBJECT_CAST(p)); } \
  }

FW_GST_OBJECT_UNREF(GstElement);
FW_GST_OBJECT_UNREF(GstPad);
FW_GST_OBJECT_UNREF(GstBus);
FW_GST_OBJECT_UNREF(GstElementFactory);
FW_GST_MINI_OBJECT_UNREF(GstBuffer);
FW_GST_MINI_OBJECT_UNREF(GstSample);
FW_GST_MINI_OBJECT_UNREF(GstCaps);
FW_GST_MINI_OBJECT_UNREF(GstEvent);
FW_GST_MINI_OBJECT_UNREF(GstMessage);

#undef FW_GST_OBJECT_UNREF
#undef FW_GST_MINI_OBJECT_UNREF

template <>
struct GstUnref<GError> {
  void operator()(GError* p) const { g_error_free(p); }
};
template <>
struct GstUnref<gchar> {
  void operator()(gchar* p) const { g_free(p); }
};

template <typename T>
using GstPtr = std::unique_ptr<T, GstUnref<T>>;

// Owns a pointer the caller already holds a reference to (transfer full).
template <typename T>
GstPtr<T> adopt(T* p) {
  return GstPtr<T>(p);
}

// Takes an extra reference to a borrowed GstObject (transfer none).
template <typename T>
GstPtr<T> refObject(T* p) {
  return GstPtr<T>(p ? static_cast<T*>(gst_object_ref(p)) : nullptr);
}

// Takes an extra reference to a borrowed mini object (buffer, sample, caps, ...).
template <typename T>
GstPtr<T> refMini(T* p) {
  return GstPtr<T>(p ? reinterpret_cast<T*>(gst_mini_object_ref(GST_MINI_OBJECT_CAST(p)))
                     : nullptr);
}

}  // namespace framewire::media
