#include "media/pipeline.hpp"

#include <stdexcept>

#include "core/log.hpp"

namespace framewire::media {

Pipeline::Pipeline(const std::string& name, const std::string& description,
                   FailureCallback on_failure)
    : name_(name), on_failure_(std::move(on_failure)) {
  GError* raw_error = nullptr;
  GstElement* element = gst_parse_launch(description.c_str(), &raw_error);
  GstPtr<GError> error = adopt(raw_error);
  if (element == nullptr || error) {
    if (element != nullptr) gst_object_unref(gst_object_ref_sink(element));
    throw std::runtime_error("cannot build the " + name + " pipeline '" + description +
                             "': " + (error ? error->message : "unknown error"));
  }
  // The result may or may not be floating (it is when it is the pipeline parse created);
  // sink only a floating ref so exactly one reference ends up owned here.
  if (g_object_is_floating(element)) gst_object_ref_sink(element);
  pipeline_ = adopt(element);
  gst_object_set_name(GST_OBJECT(pipeline_.get()), name.c_str());
  GstPtr<GstBus> bus = adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(bus.get(), &Pipeline::onBusMessage, this, nullptr);
  spdlog::debug("media: built {} pipeline: {}", name, description);
}

Pipeline::~Pipeline() {
  stopNow();
  // No streaming thread is left to post, so detaching the handler cannot race with it.
  GstPtr<GstBus> bus = adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
}

GstPtr<GstElement> Pipeline::element(const std::string& name) const {
  GstElement* found = gst_bin_get_by_name(GST_BIN(pipeline_.get()), name.c_str());
  if (found == nullptr) {
    throw std::runtime_error("the " + name_ + " pipeline has no element '" + name + "'");
  }
  return adopt(found);
}

bool Pipeline::play() {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    spdlog::warn("media: {} pipeline refused to play", name_);
    return false;
  }
  return true;
}

bool Pipeline::seekToStart() {
  return gst_element_seek_simple(
      pipeline_.get(), GST_FORMAT_TIME,
      static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0);
}

void Pipeline::stopNow() {
  if (pipeline_) gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
}

GstBusSyncReply Pipeline::onBusMessage(GstBus*, GstMessage* message, gpointer self_ptr) {
  auto* self = static_cast<Pipeline*>(self_ptr);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR: {
      GError* raw_error = nullptr;
      gchar* raw_debug = nullptr;
      gst_message_parse_error(message, &raw_error, &raw_debug);
      GstPtr<GError> error = adopt(raw_error);
      GstPtr<gchar> debug = adopt(raw_debug);
      std::string reason = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message))) + ": " +
                           (error ? error->message : "error");
      spdlog::warn("media: {} pipeline error: {} ({})", self->name_, reason,
                   debug ? debug.get() : "");
      if (self->on_failure_) self->on_failure_(reason);
      break;
    }
    case GST_MESSAGE_EOS:
      if (self->on_failure_) self->on_failure_("end of stream");
      break;
    case GST_MESSAGE_WARNING: {
      GError* raw_error = nullptr;
      gst_message_parse_warning(message, &raw_error, nullptr);
      GstPtr<GError> error = adopt(raw_error);
      spdlog::debug("media: {} pipeline warning: {}", self->name_, error ? error->message : "");
      break;
    }
    default:
      break;
  }
  // Nobody pops this bus: drop every message so none accumulate. A sync handler that answers
  // DROP owns the message and must unref it.
  gst_message_unref(message);
  return GST_BUS_DROP;
}

}  // namespace framewire::media
