#include "record/push_pipeline.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <stdexcept>

#include "media/gst_ptr.hpp"

namespace framewire::record {

using media::adopt;
using media::GstPtr;

namespace {

std::string messageError(GstMessage* message) {
  GError* raw_error = nullptr;
  gchar* raw_debug = nullptr;
  gst_message_parse_error(message, &raw_error, &raw_debug);
  auto error = adopt(raw_error);
  auto debug = adopt(raw_debug);
  std::string text = error ? error->message : "unknown error";
  if (GST_MESSAGE_SRC(message)) {
    auto name = adopt(gst_object_get_name(GST_MESSAGE_SRC(message)));
    if (name) text = std::string(name.get()) + ": " + text;
  }
  return text;
}

void releaseFrame(gpointer data) { delete static_cast<core::FramePtr*>(data); }

}  // namespace

struct PushPipeline::Impl {
  GstPtr<GstElement> pipeline;
  GstElement* src = nullptr;  // owned by the pipeline
  GstPtr<GstBus> bus;
  std::uint64_t max_queued_bytes = 0;
  std::optional<std::string> error;
  std::optional<std::int64_t> first_stream_ns;  // the timeline's zero
  std::int64_t last_pts_ns = 0;
  GstElement* audio_src = nullptr;  // owned by the pipeline; null without audio
  std::int64_t last_audio_pts_ns = -1;

  void pollBus() {
    while (true) {
      auto message = adopt(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
      if (!message) return;
      if (!error) error = messageError(message.get());
    }
  }
};

PushPipeline::PushPipeline(const std::string& tail,
                           const std::map<std::string, std::string>& sink_props,
                           std::uint64_t max_queued_bytes)
    : impl_(std::make_unique<Impl>()) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  GError* raw_error = nullptr;
  const std::string launch =
      "appsrc name=src is-live=true format=time do-timestamp=false "
      "caps=video/x-h264,stream-format=byte-stream,alignment=au ! " + tail;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &raw_error);
  auto error = adopt(raw_error);
  if (!pipeline || error) {
    if (pipeline) gst_object_unref(pipeline);
    throw std::runtime_error("cannot build pipeline: " +
                             std::string(error ? error->message : "unknown error"));
  }
  impl_->pipeline = adopt(pipeline);
  impl_->max_queued_bytes = max_queued_bytes;
  impl_->src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  gst_object_unref(impl_->src);  // the pipeline keeps it alive
  // The level is checked before each push; appsrc's own limit is only a backstop.
  g_object_set(impl_->src, "max-bytes", static_cast<guint64>(max_queued_bytes * 2), "block",
               FALSE, nullptr);
  if (!sink_props.empty()) {
    auto sink = adopt(gst_bin_get_by_name(GST_BIN(pipeline), "sink"));
    if (!sink) throw std::runtime_error("pipeline has no element named sink");
    for (const auto& [key, value] : sink_props) {
      gst_util_set_object_arg(G_OBJECT(sink.get()), key.c_str(), value.c_str());
    }
  }
  impl_->audio_src = gst_bin_get_by_name(GST_BIN(pipeline), "audio_src");
  if (impl_->audio_src) gst_object_unref(impl_->audio_src);  // the pipeline keeps it alive
  impl_->bus = adopt(gst_element_get_bus(pipeline));
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    impl_->pollBus();
    const std::string why = impl_->error.value_or("cannot start the pipeline");
    gst_element_set_state(pipeline, GST_STATE_NULL);
    throw std::runtime_error(why);
  }
}

PushPipeline::~PushPipeline() {
  if (impl_->pipeline) gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL);
}

PushPipeline::Push PushPipeline::push(const core::FramePtr& frame, std::int64_t stream_ns) {
  impl_->pollBus();
  if (impl_->error) return Push::kFailed;
  if (gst_app_src_get_current_level_bytes(GST_APP_SRC(impl_->src)) > impl_->max_queued_bytes) {
    return Push::kQueueFull;
  }
  std::int64_t pts_ns = 0;
  if (impl_->first_stream_ns) {
    pts_ns = stream_ns - *impl_->first_stream_ns;
    if (pts_ns <= impl_->last_pts_ns) pts_ns = impl_->last_pts_ns + 1'000'000;
  }
  // The buffer keeps the frame (and so its bytes) alive until the muxer is done with it.
  auto* keep = new core::FramePtr(frame);
  GstBuffer* buffer = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(frame->data), frame->size, 0,
      frame->size, keep, releaseFrame);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(pts_ns);
  GST_BUFFER_DTS(buffer) = static_cast<GstClockTime>(pts_ns);  // no B-frames: decode order
  if (!frame->keyframe) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  if (gst_app_src_push_buffer(GST_APP_SRC(impl_->src), buffer) != GST_FLOW_OK) {
    impl_->pollBus();
    if (!impl_->error) impl_->error = "the pipeline refused a frame";
    return Push::kFailed;
  }
  if (!impl_->first_stream_ns) impl_->first_stream_ns = stream_ns;
  impl_->last_pts_ns = pts_ns;
  return Push::kOk;
}

PushPipeline::Push PushPipeline::pushAudio(const core::FramePtr& frame, std::int64_t stream_ns) {
  if (!impl_->audio_src || !impl_->first_stream_ns) return Push::kOk;
  const std::int64_t pts_ns = stream_ns - *impl_->first_stream_ns;
  if (pts_ns < 0 || pts_ns <= impl_->last_audio_pts_ns) return Push::kOk;
  impl_->pollBus();
  if (impl_->error) return Push::kFailed;
  auto* keep = new core::FramePtr(frame);
  GstBuffer* buffer = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(frame->data), frame->size, 0,
      frame->size, keep, releaseFrame);
  GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(pts_ns);
  GST_BUFFER_DTS(buffer) = static_cast<GstClockTime>(pts_ns);
  if (gst_app_src_push_buffer(GST_APP_SRC(impl_->audio_src), buffer) != GST_FLOW_OK) {
    impl_->pollBus();
    if (!impl_->error) impl_->error = "the pipeline refused an audio frame";
    return Push::kFailed;
  }
  impl_->last_audio_pts_ns = pts_ns;
  return Push::kOk;
}

void* PushPipeline::element(const std::string& name) const {
  if (!impl_->pipeline) return nullptr;
  GstElement* found = gst_bin_get_by_name(GST_BIN(impl_->pipeline.get()), name.c_str());
  if (found) gst_object_unref(found);  // the pipeline keeps it alive
  return found;
}

std::optional<std::string> PushPipeline::takeError() {
  impl_->pollBus();
  auto error = std::move(impl_->error);
  impl_->error.reset();
  return error;
}

std::optional<std::string> PushPipeline::finish(int timeout_ms) {
  impl_->pollBus();
  std::optional<std::string> error = impl_->error;
  if (!error) {
    gst_app_src_end_of_stream(GST_APP_SRC(impl_->src));
    if (impl_->audio_src) gst_app_src_end_of_stream(GST_APP_SRC(impl_->audio_src));
    auto message = adopt(gst_bus_timed_pop_filtered(
        impl_->bus.get(), static_cast<GstClockTime>(timeout_ms) * GST_MSECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!message) {
      error = "the muxer did not finish within " + std::to_string(timeout_ms) + " ms";
    } else if (GST_MESSAGE_TYPE(message.get()) == GST_MESSAGE_ERROR) {
      error = messageError(message.get());
    }
  }
  gst_element_set_state(impl_->pipeline.get(), GST_STATE_NULL);
  impl_->pipeline.reset();
  return error;
}

}  // namespace framewire::record
