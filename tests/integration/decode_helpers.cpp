#include "decode_helpers.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <cstring>
#include <stdexcept>

#include "core/h264_info.hpp"
#include "core/latency_stamp.hpp"

namespace framewire::testing {
namespace {

// Small local owner so the helper stays independent of media/'s internals.
struct ElementRef {
  GstElement* p = nullptr;
  ~ElementRef() {
    if (p) gst_object_unref(p);
  }
};

DecodedPicture readPicture(GstSample* sample) {
  DecodedPicture picture;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstVideoInfo info;
  if (buffer == nullptr || !gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) {
    return picture;
  }
  picture.pts_ns = static_cast<std::int64_t>(GST_BUFFER_PTS(buffer));
  picture.width = GST_VIDEO_INFO_WIDTH(&info);
  picture.height = GST_VIDEO_INFO_HEIGHT(&info);
  GstVideoFrame frame;
  if (gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) {
    picture.stamp = core::readLatencyStamp(
        static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
        GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), picture.width, picture.height);
    gst_video_frame_unmap(&frame);
  }
  return picture;
}

}  // namespace

std::vector<DecodedPicture> decode(const std::vector<core::FramePtr>& frames,
                                   const std::string& caps, const std::string& decoder) {
  gst_init(nullptr, nullptr);
  const std::string description = "appsrc name=src format=time caps=\"" + caps + "\" ! " + decoder +
                                  " ! videoconvert ! video/x-raw,format=I420 "
                                  "! appsink name=sink sync=false";
  GError* error = nullptr;
  ElementRef pipeline{gst_parse_launch(description.c_str(), &error)};
  if (error != nullptr) {
    std::string message = error->message;
    g_error_free(error);
    throw std::runtime_error("decode pipeline: " + message);
  }
  ElementRef src{gst_bin_get_by_name(GST_BIN(pipeline.p), "src")};
  ElementRef sink{gst_bin_get_by_name(GST_BIN(pipeline.p), "sink")};
  gst_element_set_state(pipeline.p, GST_STATE_PLAYING);

  for (const auto& frame : frames) {
    GstBuffer* buffer = gst_buffer_new_memdup(frame->data, frame->size);
    GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(frame->pts_ns);
    gst_app_src_push_buffer(GST_APP_SRC(src.p), buffer);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src.p));

  std::vector<DecodedPicture> pictures;
  while (true) {
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.p), 5 * GST_SECOND);
    if (sample == nullptr) break;  // EOS, error or timeout
    pictures.push_back(readPicture(sample));
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipeline.p, GST_STATE_NULL);
  return pictures;
}

std::vector<DecodedPicture> decodeH264(const std::vector<core::FramePtr>& frames) {
  return decode(frames, "video/x-h264,stream-format=byte-stream,alignment=au",
                "h264parse ! avdec_h264");
}

std::vector<DecodedPicture> decodeJpeg(const std::vector<core::FramePtr>& frames) {
  return decode(frames, "image/jpeg", "jpegdec");
}

std::vector<int> nalTypes(const core::EncodedFrame& frame) {
  std::vector<int> types;
  for (const auto& nal : core::splitAnnexB(frame.bytes())) types.push_back(nal.type);
  return types;
}

}  // namespace framewire::testing
