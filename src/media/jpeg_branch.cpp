#include "media/jpeg_branch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "media/frame_wrap.hpp"

namespace framewire::media {
namespace {

// FRAMEWIRE_BENCH_JPEG_INLINE=1 runs jpegenc on the capture thread (as the H.264 branch runs
// x264), for bench/latency.mjs variants.
bool jpegInline() {
  const char* v = std::getenv("FRAMEWIRE_BENCH_JPEG_INLINE");
  return v != nullptr && std::string_view(v) == "1";
}

}  // namespace

std::string JpegBranch::description(const config::Config& config) {
  return fmt::format(
      "appsrc name=branch_src is-live=true format=time do-timestamp=false block=false "
      "max-buffers=1 leaky-type=downstream "
      "caps=video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,pixel-aspect-ratio=1/1 "
      "! jpegenc name=encoder quality={quality} "
      "! appsink name=branch_sink sync=false emit-signals=false enable-last-sample=false",
      fmt::arg("w", config.width), fmt::arg("h", config.height), fmt::arg("fps", config.fps),
      fmt::arg("quality", config.jpeg_quality));
}

JpegBranch::JpegBranch(const config::Config& config, ControlLoop& loop, bus::LatestFrameBus& bus)
    : config_(config),
      bus_(bus),
      width_(config.width),
      height_(config.height),
      interval_us_(config.jpeg_fps > 0 ? 1'000'000 / config.jpeg_fps : 0),
      branch_(BranchSpec{"jpeg", "jpeg", "jpegenc", description(config), config.fps,
                         i420Bytes(config.width, config.height), jpegInline()},
              loop,
              [this](GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
                publish(buffer, time, encoded_us);
              }) {}

void JpegBranch::resize(int width, int height) {
  if (width == config_.width && height == config_.height) return;
  config_.width = width;
  config_.height = height;
  branch_.reconfigure(description(config_), i420Bytes(width, height));
  width_ = width;
  height_ = height;
}

void JpegBranch::offer(GstBuffer* buffer, std::int64_t capture_us) {
  if (!branch_.isOpen() || !admit(capture_us)) return;
  branch_.push(buffer, capture_us);
}

// Keeps the average rate at the cap even when it does not divide the source rate (60 → 25
// alternates gaps of 2 and 3 frames); a small slack absorbs capture jitter at equal rates.
bool JpegBranch::admit(std::int64_t capture_us) {
  if (interval_us_ <= 0) return true;
  const std::int64_t slack = interval_us_ / 8;
  if (capture_us < next_due_us_ - slack) return false;
  next_due_us_ = std::max(next_due_us_, capture_us - interval_us_) + interval_us_;
  return true;
}

void JpegBranch::publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = core::Codec::kJpeg;
  frame->keyframe = true;
  frame->width = width_.load();
  frame->height = height_.load();
  frame->sequence = sequence_.fetch_add(1);
  applyFrameTime(*frame, time, encoded_us);
  bus_.publish(frame);
}

}  // namespace framewire::media
