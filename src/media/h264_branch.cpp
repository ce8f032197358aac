#include "media/h264_branch.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "core/clock.hpp"
#include "core/h264_info.hpp"
#include "media/frame_wrap.hpp"

namespace framewire::media {
namespace {

// x264's own "infinite" keyframe interval (X264_KEYINT_MAX_INFINITE).
constexpr unsigned kInfiniteKeyInt = 1u << 30;

// FRAMEWIRE_BENCH_QUEUED_ENCODE=1 queues frames to the appsrc's thread as before inline
// encoding: bench/latency.mjs uses it to show the difference (bench/README.md).
bool inlineEncode() {
  const char* v = std::getenv("FRAMEWIRE_BENCH_QUEUED_ENCODE");
  return v == nullptr || std::string_view(v) != "1";
}

}  // namespace

std::string H264Branch::description(const config::Config& config, int out_width,
                                    int out_height) {
  const unsigned key_int = config.gop > 0 ? static_cast<unsigned>(config.gop) : kInfiniteKeyInt;
  const bool scaled = out_width > 0 && out_height > 0 &&
                      (out_width != config.width || out_height != config.height);
  // The capture thread pushes past the appsrc (inline encode); its queue applies when frames
  // are queued instead (an encoder too slow to run inline): only the newest frame waits for
  // the encoder (a frame waiting behind two cost ~2 encodes; 1080p60 at load 14: encode stage
  // p50 19-30 ms instead of 24-92 ms, more frames through).
  return fmt::format(
      "appsrc name=branch_src is-live=true format=time do-timestamp=false block=false "
      "max-buffers=1 leaky-type=downstream "
      "caps=video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,pixel-aspect-ratio=1/1 "
      "{scale}! x264enc name=encoder tune=zerolatency speed-preset={preset} bitrate={kbps} bframes=0 "
      "key-int-max={key_int} byte-stream=true "
      "! video/x-h264,profile={profile},stream-format=byte-stream,alignment=au "
      "! h264parse config-interval=-1 "
      "! appsink name=branch_sink sync=false emit-signals=false enable-last-sample=false",
      fmt::arg("w", config.width), fmt::arg("h", config.height), fmt::arg("fps", config.fps),
      fmt::arg("preset", config.preset), fmt::arg("kbps", config.bitrate_kbps),
      fmt::arg("key_int", key_int), fmt::arg("profile", config.profile),
      fmt::arg("scale", scaled ? fmt::format("! videoscale ! video/x-raw,width={},height={} ",
                                             out_width, out_height)
                               : std::string()));
}

H264Branch::H264Branch(const config::Config& config, ControlLoop& loop, bus::FrameBus& bus)
    : config_(config),
      source_fps_(config.fps),
      bus_(bus),
      width_(config.width),
      height_(config.height),
      // Inline: x264 runs on the capture thread, with no handoff (see BranchSpec).
      branch_(BranchSpec{"main", "h264", "x264enc", description(config), config.fps,
                         i420Bytes(config.width, config.height), inlineEncode()},
              loop,
              [this](GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
                publish(buffer, time, encoded_us);
              }) {
  publishSettings();
}

std::string H264Branch::currentDescription() const {
  config::Config c = config_;
  c.fps = std::min(config_.fps, source_fps_);  // frames never come faster than the source's
  return description(c, outWidth(), outHeight());
}

void H264Branch::publishSettings() {
  std::lock_guard lock(settings_mutex_);
  settings_ = CodecBranchSettings{bus_.name(), "h264",      "x264enc",          false,
                                  true,        outWidth(),  outHeight(),        config_.fps,
                                  config_.bitrate_kbps,     config_.gop,
                                  /*fallback_reason=*/""};
}

CodecBranchSettings H264Branch::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

std::string H264Branch::apply(const BranchChange& change) {
  checkBranchChange(change, 100, 100000);
  const config::Config before = config_;
  const int width_before = outWidth();
  const int height_before = outHeight();
  if (change.bitrate_kbps) config_.bitrate_kbps = *change.bitrate_kbps;
  if (change.fps) config_.fps = *change.fps;
  if (change.gop) config_.gop = *change.gop;
  if (change.width) out_width_ = *change.width;
  if (change.height) out_height_ = *change.height;
  if (out_width_ > 0 && out_height_ == 0) out_height_ = config_.height;
  if (out_height_ > 0 && out_width_ == 0) out_width_ = config_.width;
  const bool only_bitrate = !change.fps && !change.gop && !change.width && !change.height;
  const bool bitrate_changed = config_.bitrate_kbps != before.bitrate_kbps;
  const bool rebuild = config_.fps != before.fps || config_.gop != before.gop ||
                       outWidth() != width_before || outHeight() != height_before;
  frame_interval_us_ = config_.fps < source_fps_ ? 1'000'000 / config_.fps : 0;
  std::string how = "unchanged";
  if (only_bitrate && bitrate_changed) {
    how = branch_.setLiveProperty("encoder", "bitrate", std::to_string(config_.bitrate_kbps),
                                  currentDescription())
              ? "live"
              : "next start";  // not running: the next build takes the new description
  } else if (rebuild || bitrate_changed) {
    branch_.reconfigure(currentDescription(), i420Bytes(config_.width, config_.height));
    how = "rebuilt";
  }
  width_ = outWidth();
  height_ = outHeight();
  publishSettings();
  return how;
}

void H264Branch::offer(GstBuffer* buffer, std::int64_t capture_us) {
  const std::int64_t interval = frame_interval_us_.load(std::memory_order_relaxed);
  if (interval > 0 && branch_.isOpen()) {
    // As CodecBranch::offer: skip before the encoder, keep the cadence, never catch up.
    const std::int64_t now = core::steadyMicros();
    if (now + interval / 8 < next_due_us_) return;
    next_due_us_ = (now - next_due_us_ > interval) ? now + interval : next_due_us_ + interval;
  }
  branch_.push(buffer, capture_us);
}

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

void H264Branch::resize(int width, int height) {
  if (width == config_.width && height == config_.height) return;
  config_.width = width;
  config_.height = height;
  // A size set through the settings stays; otherwise the encoder follows the source.
  branch_.reconfigure(currentDescription(), i420Bytes(width, height));
  width_ = outWidth();
  height_ = outHeight();
  publishSettings();
}

void H264Branch::setEncoderPublishing(bool on) {
  if (on && !encoder_publishing_.load()) encoder_needs_idr_ = true;
  encoder_publishing_ = on;
}

void H264Branch::publishPassthrough(GstBuffer* buffer, std::int64_t capture_us, int width,
                                    int height) {
  // The source's access unit as the capture pipeline gave it (sources/access_units.hpp).
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = core::Codec::kH264;
  frame->keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT) &&
                    core::containsIdr(frame->bytes());
  frame->width = width;
  frame->height = height;
  frame->sequence = sequence_.fetch_add(1);
  frame->pts_ns = GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<std::int64_t>(GST_BUFFER_PTS(buffer))
                                                  : 0;
  frame->capture_us = capture_us;
  // No encoder: the "encode" stage is empty.
  frame->encode_start_us = frame->encoded_us = core::wallClockMicros();
  bus_.publish(frame);
}

void H264Branch::publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
  if (!encoder_publishing_.load()) return;
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = core::Codec::kH264;
  // Only an IDR can start a decoder; a delta-flagged buffer never holds one, so skip the scan.
  frame->keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT) &&
                    core::containsIdr(frame->bytes());
  if (encoder_needs_idr_.load()) {
    if (!frame->keyframe) return;
    encoder_needs_idr_ = false;
  }
  frame->width = width_.load();
  frame->height = height_.load();
  frame->sequence = sequence_.fetch_add(1);
  applyFrameTime(*frame, time, encoded_us);
  bus_.publish(frame);
}

}  // namespace framewire::media
