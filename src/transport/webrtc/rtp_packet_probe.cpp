#include "transport/webrtc/rtp_packet_probe.hpp"

#include <gst/rtp/gstrtpbuffer.h>

#include <utility>

namespace framewire::transport::webrtc {
namespace {

GstPadProbeReturn onPackets(GstPad*, GstPadProbeInfo* info, gpointer data) {
  const auto& write = *static_cast<const PacketWriter*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    write(buffer);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    GST_PAD_PROBE_INFO_DATA(info) = list;
    gst_buffer_list_foreach(
        list,
        +[](GstBuffer** buffer, guint, gpointer user) -> gboolean {
          *buffer = gst_buffer_make_writable(*buffer);
          (*static_cast<const PacketWriter*>(user))(*buffer);
          return TRUE;
        },
        data);
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

void addPacketProbe(GstElement* payloader, PacketWriter write) {
  GstPad* pad = gst_element_get_static_pad(payloader, "src");
  if (!pad) return;
  gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      onPackets, new PacketWriter(std::move(write)),
      [](gpointer p) { delete static_cast<PacketWriter*>(p); });
  gst_object_unref(pad);
}

void addOneByteExtension(GstBuffer* packet, std::uint8_t id, const std::uint8_t* data, std::size_t size) {
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(packet, GST_MAP_READWRITE, &rtp)) return;
  gst_rtp_buffer_add_extension_onebyte_header(&rtp, id, data, static_cast<guint>(size));
  gst_rtp_buffer_unmap(&rtp);
}

}  // namespace framewire::transport::webrtc
