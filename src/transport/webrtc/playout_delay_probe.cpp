#include "transport/webrtc/playout_delay_probe.hpp"

#include <gst/rtp/gstrtpbuffer.h>

#include <array>
#include <cstdint>

#include "transport/webrtc/header_extensions.hpp"

namespace framewire::transport::webrtc {
namespace {

struct Extension {
  guint8 id;
  std::array<std::uint8_t, 3> bytes;
};

// `buffer` must be writable. The RTP header memory grows to take the extension if needed.
void addExtension(GstBuffer* buffer, const Extension& ext) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(buffer, GST_MAP_READWRITE, &rtp)) return;
  gst_rtp_buffer_add_extension_onebyte_header(&rtp, ext.id, ext.bytes.data(), ext.bytes.size());
  gst_rtp_buffer_unmap(&rtp);
}

GstPadProbeReturn onPackets(GstPad*, GstPadProbeInfo* info, gpointer data) {
  const auto* ext = static_cast<const Extension*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    addExtension(buffer, *ext);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    GST_PAD_PROBE_INFO_DATA(info) = list;
    gst_buffer_list_foreach(
        list,
        +[](GstBuffer** buffer, guint, gpointer user) -> gboolean {
          *buffer = gst_buffer_make_writable(*buffer);
          addExtension(*buffer, *static_cast<const Extension*>(user));
          return TRUE;
        },
        data);
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

void addPlayoutDelayProbe(GstElement* payloader, int id, int min_ms, int max_ms) {
  GstPad* pad = gst_element_get_static_pad(payloader, "src");
  if (!pad) return;
  auto* ext = new Extension{static_cast<guint8>(id), playoutDelayBytes(min_ms, max_ms)};
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      onPackets, ext, [](gpointer p) { delete static_cast<Extension*>(p); });
  gst_object_unref(pad);
}

}  // namespace framewire::transport::webrtc
