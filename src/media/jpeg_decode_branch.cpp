#include "media/jpeg_decode_branch.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>

#include "media/frame_wrap.hpp"

namespace framewire::media {

std::string JpegDecodeBranch::description(const config::Config& config) {
  // Every access unit must reach the decoder (a gap breaks it until the next keyframe), so the
  // appsrc holds more; videorate drops decoded pictures above jpeg-fps before jpegenc.
  return fmt::format(
      "appsrc name=branch_src is-live=true format=time do-timestamp=false block=false "
      "max-buffers=60 leaky-type=downstream "
      "caps=video/x-h264,stream-format=byte-stream,alignment=au "
      "! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=I420 "
      "! videorate drop-only=true max-rate={fps} "
      "! jpegenc name=encoder quality={quality} "
      "! appsink name=branch_sink sync=false emit-signals=false enable-last-sample=false",
      fmt::arg("fps", config.jpeg_fps), fmt::arg("quality", config.jpeg_quality));
}

JpegDecodeBranch::JpegDecodeBranch(const config::Config& config, ControlLoop& loop,
                                   bus::LatestFrameBus& bus)
    : bus_(bus),
      branch_(BranchSpec{"jpeg-decode", "jpeg", "avdec_h264+jpegenc", description(config),
                         config.fps, 0},
              loop, [this](GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
                publish(buffer, time, encoded_us);
              }) {}

void JpegDecodeBranch::setDemand(std::size_t watchers) {
  const bool open = watchers > 0;
  std::lock_guard lock(mutex_);
  if (open && !branch_.isOpen()) started_ = primed_ = false;
  branch_.setOpen(open);
}

void JpegDecodeBranch::offer(GstBuffer* buffer, std::int64_t capture_us, bool keyframe) {
  std::lock_guard lock(mutex_);
  if (keyframe) last_keyframe_ = adopt(gst_buffer_ref(buffer));
  if (!branch_.isOpen()) return;
  if (!started_) {
    if (keyframe) {
      started_ = true;
    } else {
      if (!primed_ && last_keyframe_) {
        primed_ = branch_.push(last_keyframe_.get(), capture_us);
      }
      return;  // a P-frame after the cached keyframe would decode into a smeared picture
    }
  }
  branch_.push(buffer, capture_us);
}

void JpegDecodeBranch::publish(GstBuffer* buffer, const FrameTime& time,
                               std::int64_t encoded_us) {
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = core::Codec::kJpeg;
  frame->keyframe = true;
  // The decoder's output caps carry the size; the JPEG header has it too, which is what
  // MJPEG clients read. Peek at it from the SOF0 marker rather than tracking caps.
  const auto bytes = frame->bytes();
  for (std::size_t i = 0; i + 8 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2)) {
      frame->height = (bytes[i + 5] << 8) | bytes[i + 6];
      frame->width = (bytes[i + 7] << 8) | bytes[i + 8];
      break;
    }
  }
  frame->sequence = sequence_.fetch_add(1);
  frame->pts_ns = static_cast<std::int64_t>(time.pts_ns);
  frame->capture_us = time.capture_us;
  frame->encode_start_us = time.encode_start_us;
  frame->encoded_us = encoded_us;
  bus_.publish(frame);
}

}  // namespace framewire::media
