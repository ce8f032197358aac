// v4l2: a camera or HDMI grabber. The device's modes are read through v4l2src's caps, the
// closest one to --size/--fps is chosen (and logged); H.264 devices are passed through, MJPEG
// ones decoded, raw ones converted. A missing device is not an error at start-up: viewers see
// NO SIGNAL ("device missing") and the device is looked for again every second.
#include "media/sources/v4l2_source.hpp"

#include <fmt/format.h>
#include <gst/gst.h>
#include <unistd.h>

#include <atomic>

#include "core/log.hpp"
#include "media/gst_ptr.hpp"
#include "media/sources/v4l2_mode.hpp"

namespace framewire::media {
namespace {

int highestRate(const GValue* value) {
  if (value == nullptr) return 0;
  if (GST_VALUE_HOLDS_FRACTION(value)) {
    const int d = gst_value_get_fraction_denominator(value);
    return d > 0 ? gst_value_get_fraction_numerator(value) / d : 0;
  }
  if (GST_VALUE_HOLDS_LIST(value)) {
    int best = 0;
    for (guint i = 0; i < gst_value_list_get_size(value); ++i) {
      best = std::max(best, highestRate(gst_value_list_get_value(value, i)));
    }
    return best;
  }
  if (GST_VALUE_HOLDS_FRACTION_RANGE(value)) return highestRate(gst_value_get_fraction_range_max(value));
  return 0;
}

int fixedInt(const GstStructure* s, const char* field) {
  int v = 0;
  if (gst_structure_get_int(s, field, &v)) return v;
  const GValue* value = gst_structure_get_value(s, field);
  if (value != nullptr && GST_VALUE_HOLDS_INT_RANGE(value)) return gst_value_get_int_range_max(value);
  return 0;
}

std::vector<V4l2Mode> probeModes(const std::string& device) {
  std::vector<V4l2Mode> modes;
  GstElement* raw = gst_element_factory_make("v4l2src", nullptr);
  if (raw == nullptr) return modes;
  GstPtr<GstElement> src = adopt(GST_ELEMENT(gst_object_ref_sink(raw)));
  g_object_set(src.get(), "device", device.c_str(), nullptr);
  if (gst_element_set_state(src.get(), GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(src.get(), GST_STATE_NULL);
    return modes;
  }
  GstPtr<GstPad> pad = adopt(gst_element_get_static_pad(src.get(), "src"));
  GstPtr<GstCaps> caps = adopt(gst_pad_query_caps(pad.get(), nullptr));
  for (guint i = 0; caps && i < gst_caps_get_size(caps.get()); ++i) {
    const GstStructure* s = gst_caps_get_structure(caps.get(), i);
    V4l2Mode mode;
    const std::string name = gst_structure_get_name(s);
    if (name == "video/x-raw") {
      const char* format = gst_structure_get_string(s, "format");
      if (format == nullptr) continue;
      mode.format = format;
    } else if (name == "image/jpeg") {
      mode.kind = V4l2Kind::kMjpeg;
    } else if (name == "video/x-h264") {
      mode.kind = V4l2Kind::kH264;
    } else {
      continue;
    }
    mode.width = fixedInt(s, "width");
    mode.height = fixedInt(s, "height");
    mode.fps = highestRate(gst_structure_get_value(s, "framerate"));
    modes.push_back(mode);
  }
  gst_element_set_state(src.get(), GST_STATE_NULL);
  return modes;
}

}  // namespace

SourceSpec v4l2Source(const config::Config& config) {
  const std::string& device = config.source_settings.device;
  SourceSpec spec;
  spec.elements = {"v4l2src", "jpegdec", "videoconvert", "videoscale", "h264parse"};
  spec.error_reason = "no signal";
  spec.end_reason = "no signal";
  if (access(device.c_str(), F_OK) != 0) {
    spec.unavailable = "device missing";
    // Looked for every second: say it once, not every second.
    static std::atomic<bool> said{false};
    if (said.exchange(true)) return spec;
    spdlog::error("media: v4l2 device {} does not exist (is the camera or grabber plugged in?); "
                  "showing NO SIGNAL and looking again every second",
                  device);
    return spec;
  }
  const std::vector<V4l2Mode> modes = probeModes(device);
  const auto mode = chooseV4l2Mode(modes, {config.width, config.height, config.fps});
  if (!mode) {
    spec.unavailable = "device missing";
    spdlog::error("media: v4l2 device {} offers no usable video mode (busy, or not a capture "
                  "device?)",
                  device);
    return spec;
  }
  spdlog::info("media: v4l2 {}: chose {} (asked for {}x{}@{}, {} modes offered)", device,
               describeV4l2Mode(*mode), config.width, config.height, config.fps, modes.size());
  const std::string src = fmt::format("v4l2src name=source device=\"{}\" do-timestamp=true", device);
  const std::string size =
      fmt::format("width={},height={},framerate={}/1", mode->width, mode->height, mode->fps);
  switch (mode->kind) {
    case V4l2Kind::kH264:
      spec.encoded = true;
      spec.description = fmt::format("{} ! video/x-h264,{}", src, size);
      break;
    case V4l2Kind::kMjpeg:
      spec.description = fmt::format("{} ! image/jpeg,{} ! jpegdec ! {}", src, size, rawTail(config));
      break;
    case V4l2Kind::kRaw:
      spec.description =
          fmt::format("{} ! video/x-raw,format={},{} ! {}", src, mode->format, size, rawTail(config));
      break;
  }
  return spec;
}

}  // namespace framewire::media
