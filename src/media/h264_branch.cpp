#include "media/h264_branch.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>

#include "core/h264_info.hpp"
#include "media/frame_wrap.hpp"

namespace framewire::media {
namespace {

// x264's own "infinite" keyframe interval (X264_KEYINT_MAX_INFINITE).
constexpr unsigned kInfiniteKeyInt = 1u << 30;

}  // namespace

std::string H264Branch::description(const config::Config& config) {
  const unsigned key_int = config.gop > 0 ? static_cast<unsigned>(config.gop) : kInfiniteKeyInt;
  // appsrc keeps at most 2 frames and drops the oldest: a slow encoder skips, never lags.
  return fmt::format(
      "appsrc name=branch_src is-live=true format=time do-timestamp=false block=false "
      "max-buffers=2 leaky-type=downstream "
      "caps=video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,pixel-aspect-ratio=1/1 "
      "! x264enc name=encoder tune=zerolatency speed-preset={preset} bitrate={kbps} bframes=0 "
      "key-int-max={key_int} byte-stream=true "
      "! video/x-h264,profile={profile},stream-format=byte-stream,alignment=au "
      "! h264parse config-interval=-1 "
      "! appsink name=branch_sink sync=false emit-signals=false enable-last-sample=false",
      fmt::arg("w", config.width), fmt::arg("h", config.height), fmt::arg("fps", config.fps),
      fmt::arg("preset", config.preset), fmt::arg("kbps", config.bitrate_kbps),
      fmt::arg("key_int", key_int), fmt::arg("profile", config.profile));
}

H264Branch::H264Branch(const config::Config& config, ControlLoop& loop, bus::FrameBus& bus)
    : config_(config),
      bus_(bus),
      branch_(BranchSpec{"main", "h264", "x264enc", description(config), config.fps}, loop,
              [this](GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
                publish(buffer, time, encoded_us);
              }) {}

void H264Branch::setDemand(std::size_t subscribers) {
  const bool open = subscribers > 0;
  const bool opening = open && !branch_.isOpen();
  // Ask first, so the first frame through the opened valve is already the IDR.
  if (opening) forceKeyframe();
  branch_.setOpen(open);
}

void H264Branch::forceKeyframe() {
  // all_headers: SPS/PPS go out with the IDR (h264parse also inserts them on every IDR).
  branch_.sendUpstream(
      adopt(gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0)));
}

void H264Branch::publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = core::Codec::kH264;
  // Only an IDR can start a decoder; a delta-flagged buffer never holds one, so skip the scan.
  frame->keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT) &&
                    core::containsIdr(frame->bytes());
  frame->width = config_.width;
  frame->height = config_.height;
  frame->sequence = sequence_.fetch_add(1);
  frame->pts_ns = static_cast<std::int64_t>(time.pts_ns);
  frame->capture_us = time.capture_us;
  frame->encode_start_us = time.encode_start_us;
  frame->encoded_us = encoded_us;
  bus_.publish(frame);
}

}  // namespace framewire::media
