#include "transport/webrtc/capture_time_probe.hpp"

#include <gst/rtp/gstrtpbuffer.h>

#include "transport/webrtc/header_extensions.hpp"

namespace framewire::transport::webrtc {
namespace {

struct Probe {
  guint8 id;
  std::shared_ptr<const CaptureTimes> times;
};

// `buffer` must be writable.
void addCaptureTime(GstBuffer* buffer, const Probe& probe) {
  if (!GST_BUFFER_PTS_IS_VALID(buffer)) return;
  const auto capture_us = probe.times->find(GST_BUFFER_PTS(buffer));
  if (!capture_us) return;
  const auto bytes = absCaptureTimeBytes(*capture_us);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(buffer, GST_MAP_READWRITE, &rtp)) return;
  gst_rtp_buffer_add_extension_onebyte_header(&rtp, probe.id, bytes.data(), bytes.size());
  gst_rtp_buffer_unmap(&rtp);
}

GstPadProbeReturn onPackets(GstPad*, GstPadProbeInfo* info, gpointer data) {
  const auto* probe = static_cast<const Probe*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    addCaptureTime(buffer, *probe);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    GST_PAD_PROBE_INFO_DATA(info) = list;
    gst_buffer_list_foreach(
        list,
        +[](GstBuffer** buffer, guint, gpointer user) -> gboolean {
          *buffer = gst_buffer_make_writable(*buffer);
          addCaptureTime(*buffer, *static_cast<const Probe*>(user));
          return TRUE;
        },
        data);
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

void addCaptureTimeProbe(GstElement* payloader, int id, std::shared_ptr<const CaptureTimes> times) {
  GstPad* pad = gst_element_get_static_pad(payloader, "src");
  if (!pad) return;
  auto* probe = new Probe{static_cast<guint8>(id), std::move(times)};
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      onPackets, probe, [](gpointer p) { delete static_cast<Probe*>(p); });
  gst_object_unref(pad);
}

}  // namespace framewire::transport::webrtc
