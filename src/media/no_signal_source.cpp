#include "media/no_signal_source.hpp"

#include <fmt/format.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <algorithm>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/latency_stamp.hpp"
#include "core/log.hpp"

namespace framewire::media {
namespace {

std::string escapeText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void writeStamp(GstBuffer* buffer, int width, int height, std::int64_t now_us) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height);
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, buffer, GST_MAP_WRITE)) return;
  core::writeLatencyStamp(static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), width, height, now_us,
                          static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 1)),
                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1),
                          static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 2)),
                          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 2));
  gst_video_frame_unmap(&frame);
}

}  // namespace

NoSignalSource::NoSignalSource(int fps, FrameHandler on_frame)
    : period_us_(1'000'000 / std::max(1, fps)), on_frame_(std::move(on_frame)) {
  thread_ = std::thread([this] { run(); });
}

NoSignalSource::~NoSignalSource() { stop(); }

void NoSignalSource::show(const std::string& reason, int width, int height) {
  std::lock_guard lock(mutex_);
  if (reason != reason_ || width != width_ || height != height_) ++wanted_version_;
  reason_ = reason;
  width_ = width;
  height_ = height;
  active_ = true;
  wake_.notify_all();
}

void NoSignalSource::prepare(const std::string& reason, int width, int height) {
  std::lock_guard lock(mutex_);
  if (active_) return;
  if (reason != reason_ || width != width_ || height != height_) ++wanted_version_;
  reason_ = reason;
  width_ = width;
  height_ = height;
  wake_.notify_all();
}

void NoSignalSource::hide() {
  std::lock_guard lock(mutex_);
  active_ = false;
}

void NoSignalSource::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

GstPtr<GstBuffer> NoSignalSource::render(const std::string& reason, int width, int height) {
  const int big = std::max(16, height / 9);
  const int small = std::max(10, height / 22);
  const std::string description = fmt::format(
      "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff262a33 "
      "! video/x-raw,format=I420,width={w},height={h},framerate=1/1 "
      "! textoverlay text=\"NO SIGNAL\" halignment=center valignment=center "
      "font-desc=\"Sans Bold {big}px\" shaded-background=false "
      "! textoverlay text=\"{reason}\" halignment=center valignment=bottom ypad={ypad} "
      "font-desc=\"Sans {small}px\" "
      "! appsink name=sink sync=false enable-last-sample=false",
      fmt::arg("w", width), fmt::arg("h", height), fmt::arg("big", big), fmt::arg("small", small),
      fmt::arg("reason", escapeText(reason)), fmt::arg("ypad", height / 2 - big - small));
  GError* raw_error = nullptr;
  GstElement* raw = gst_parse_launch(description.c_str(), &raw_error);
  GstPtr<GError> error = adopt(raw_error);
  if (raw == nullptr) {
    throw std::runtime_error(std::string("cannot render NO SIGNAL: ") +
                             (error ? error->message : "?"));
  }
  GstPtr<GstElement> pipeline = adopt(GST_ELEMENT(gst_object_ref_sink(raw)));
  GstPtr<GstElement> sink = adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  GstPtr<GstSample> sample =
      adopt(gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 5 * GST_SECOND));
  GstPtr<GstBuffer> buffer;
  if (sample && gst_sample_get_buffer(sample.get()) != nullptr) {
    // A deep copy: the picture outlives this pipeline and its buffer pool.
    buffer = adopt(gst_buffer_copy_deep(gst_sample_get_buffer(sample.get())));
  }
  sample.reset();
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (!buffer) throw std::runtime_error("cannot render NO SIGNAL: no picture came out");
  return buffer;
}

void NoSignalSource::run() {
  GstPtr<GstBuffer> picture;
  std::uint64_t picture_version = ~0ull;
  int width = 0;
  int height = 0;
  std::int64_t next_us = core::steadyMicros();
  for (;;) {
    std::string reason;
    std::uint64_t version = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        return stopping_ || active_ || (width_ > 0 && wanted_version_ != picture_version);
      });
      if (stopping_) return;
      reason = reason_;
      version = wanted_version_;
      width = width_;
      height = height_;
    }
    if (version != picture_version) {
      try {
        if (width <= 0 || height <= 0) throw std::runtime_error("NO SIGNAL: no valid size");
        picture = render(reason, width, height);
      } catch (const std::exception& e) {
        spdlog::error("media: {}", e.what());
        picture.reset();
      }
      picture_version = version;
    }
    bool active = false;
    {
      std::lock_guard lock(mutex_);
      active = active_;
    }
    if (!active || !picture) {
      if (!picture && active) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      next_us = core::steadyMicros();
      continue;
    }
    // Pace on a fixed grid; after a stall start the grid again instead of bursting.
    const std::int64_t now = core::steadyMicros();
    if (next_us > now) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::microseconds(next_us - now),
                     [&] { return stopping_ || !active_ || wanted_version_ != picture_version; });
      if (stopping_) return;
      if (!active_ || wanted_version_ != picture_version) continue;
    } else if (now - next_us > period_us_ * 4) {
      next_us = now;
    }
    next_us += period_us_;
    GstPtr<GstBuffer> frame = adopt(gst_buffer_copy_deep(picture.get()));
    const std::int64_t wall_us = core::wallClockMicros();
    writeStamp(frame.get(), width, height, wall_us);
    frames_.fetch_add(1);
    try {
      if (on_frame_) on_frame_(frame.get(), wall_us);
    } catch (const std::exception& e) {
      spdlog::error("media: NO SIGNAL frame handler failed: {}", e.what());
    }
  }
}

}  // namespace framewire::media
