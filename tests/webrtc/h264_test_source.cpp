#include "h264_test_source.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <stdexcept>
#include <string>

#include "core/clock.hpp"

namespace framewire::test {

H264TestSource::H264TestSource(bus::FrameBus& bus, int width, int height, int fps) : bus_(bus) {
  const std::string description =
      "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=" +
      std::to_string(width) + ",height=" + std::to_string(height) +
      ",framerate=" + std::to_string(fps) +
      "/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=100000 bframes=0 "
      "bitrate=1000 ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,"
      "alignment=au ! appsink name=sink emit-signals=true sync=false max-buffers=4 drop=true";
  GError* error = nullptr;
  pipeline_ = gst_parse_launch(description.c_str(), &error);
  if (!pipeline_) {
    std::string message = error ? error->message : "unknown";
    if (error) g_error_free(error);
    throw std::runtime_error("test source: " + message);
  }
  sink_ = gst_bin_get_by_name(GST_BIN(pipeline_), "sink");
  g_signal_connect(sink_, "new-sample", G_CALLBACK(&H264TestSource::onSample), this);
  bus_.setKeyframeSender([this] {
    ++requested_;
    // From the sink element, an upstream event travels up to x264enc.
    gst_element_send_event(
        sink_, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  });
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

H264TestSource::~H264TestSource() {
  bus_.setKeyframeSender({});
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(sink_);
  gst_object_unref(pipeline_);
}

GstFlowReturn H264TestSource::onSample(GstElement* sink, gpointer data) {
  auto* self = static_cast<H264TestSource*>(data);
  GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(sink));
  if (!sample) return GST_FLOW_OK;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map;
  if (buffer && gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    const bool key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    auto frame = core::makeOwnedFrame({map.data, map.size}, core::Codec::kH264, key);
    auto mutable_frame = std::const_pointer_cast<core::EncodedFrame>(frame);
    mutable_frame->capture_us = core::wallClockMicros();
    mutable_frame->sequence = self->frames_;
    gst_buffer_unmap(buffer, &map);
    ++self->frames_;
    if (key) ++self->keyframes_;
    self->bus_.publish(frame);
  }
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

}  // namespace framewire::test
