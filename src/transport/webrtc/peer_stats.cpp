#include "transport/webrtc/peer_stats.hpp"

#include <gst/webrtc/webrtc.h>

#include <string_view>

namespace framewire::transport::webrtc {
namespace {

// Stats fields come as guint, guint64, gint, gint64 or gdouble depending on the field and
// the GStreamer version: read any of them.
bool readNumber(const GstStructure* s, const char* field, double* out) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return false;
  switch (G_VALUE_TYPE(v)) {
    case G_TYPE_UINT:
      *out = g_value_get_uint(v);
      return true;
    case G_TYPE_INT:
      *out = g_value_get_int(v);
      return true;
    case G_TYPE_UINT64:
      *out = static_cast<double>(g_value_get_uint64(v));
      return true;
    case G_TYPE_INT64:
      *out = static_cast<double>(g_value_get_int64(v));
      return true;
    case G_TYPE_DOUBLE:
      *out = g_value_get_double(v);
      return true;
    case G_TYPE_FLOAT:
      *out = g_value_get_float(v);
      return true;
    default:
      return false;
  }
}

std::uint64_t readCount(const GstStructure* s, const char* field) {
  double value = 0;
  return readNumber(s, field, &value) && value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

gboolean visit(GQuark, const GValue* value, gpointer user_data) {
  auto* stats = static_cast<PeerStats*>(user_data);
  if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
  const GstStructure* s = gst_value_get_structure(value);
  GstWebRTCStatsType type;
  if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, nullptr)) return TRUE;
  if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
    stats->bytes_sent += readCount(s, "bytes-sent");
    stats->packets_sent += readCount(s, "packets-sent");
    stats->nacks_received += readCount(s, "nack-count");
    stats->plis_received += readCount(s, "pli-count");
    stats->firs_received += readCount(s, "fir-count");
    stats->retransmitted_packets += readCount(s, "retransmitted-packets-sent");
  } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
    stats->has_receiver_report = true;
    double value = 0;
    if (readNumber(s, "round-trip-time", &value) && value > 0) stats->rtt_ms = value * 1000.0;
    if (readNumber(s, "fraction-lost", &value)) stats->fraction_lost = value;
    if (readNumber(s, "packets-lost", &value))
      stats->packets_lost = static_cast<std::int64_t>(value);
    if (readNumber(s, "jitter", &value)) stats->jitter_ms = value * 1000.0;
  }
  return TRUE;
}

}  // namespace

PeerStats readPeerStats(const GstStructure* stats) {
  PeerStats out;
  if (stats) gst_structure_foreach(stats, visit, &out);
  return out;
}

}  // namespace framewire::transport::webrtc
