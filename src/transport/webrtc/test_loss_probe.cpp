#include "transport/webrtc/test_loss_probe.hpp"

#include <cstdlib>
#include <random>

namespace framewire::transport::webrtc {
namespace {

double configuredLoss() {
  static const double loss = [] {
    const char* v = std::getenv("FRAMEWIRE_TEST_RTP_LOSS");
    if (v == nullptr) return 0.0;
    const double x = std::atof(v);
    return x > 0 && x <= 1 ? x : 0.0;
  }();
  return loss;
}

bool dropOne(double loss) {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < loss;
}

GstPadProbeReturn drop(GstPad*, GstPadProbeInfo* info, gpointer data) {
  const double loss = *static_cast<double*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    return dropOne(loss) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
  }
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList* list = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
    for (guint i = gst_buffer_list_length(list); i > 0; --i) {
      if (dropOne(loss)) gst_buffer_list_remove(list, i - 1, 1);
    }
    info->data = list;
    if (gst_buffer_list_length(list) == 0) return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

}  // namespace

double addTestLossProbe(GstElement* payloader) {
  static double loss = configuredLoss();
  if (loss <= 0) return 0;
  GstPad* pad = gst_element_get_static_pad(payloader, "src");
  if (!pad) return 0;
  gst_pad_add_probe(pad,
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_BUFFER_LIST),
                    drop, &loss, nullptr);
  gst_object_unref(pad);
  return loss;
}

}  // namespace framewire::transport::webrtc
