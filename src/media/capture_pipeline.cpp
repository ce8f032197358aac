#include "media/capture_pipeline.hpp"

#include <gst/app/gstappsink.h>

#include "core/clock.hpp"
#include "core/h264_info.hpp"
#include "core/latency_stamp.hpp"
#include "core/log.hpp"
#include "media/gst_ptr.hpp"

namespace framewire::media {
namespace {

constexpr std::int64_t kFirstBackoffUs = 250'000;
constexpr std::int64_t kMaxBackoffUs = 1'000'000;  // "capture is retried every second"
constexpr std::int64_t kWatchdogPeriodUs = 250'000;
constexpr int kQuietTicksBeforeRestart = 8;  // 2 s without a frame: rebuild the source
constexpr const char* kEndOfStream = "end of stream";  // Pipeline's reason for EOS

// The capture wall-clock time travels with the buffer as a reference timestamp meta (the
// GStreamer way to attach an absolute time), from the stamping probe to the sample callback.
GstCaps* unixTimestampCaps() {
  static GstCaps* caps = [] {
    GstCaps* c = gst_caps_new_empty_simple("timestamp/x-unix");
    GST_MINI_OBJECT_FLAG_SET(c, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);  // lives for the process
    return c;
  }();
  return caps;
}

// h264parse puts an access unit delimiter in front of every AU it outputs; the source did not
// send it, and it carries nothing a decoder needs. Offset of the AU after it (0: none).
std::size_t addedDelimiterBytes(GstBuffer* buffer) {
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return 0;
  std::size_t skip = 0;
  const auto nals = core::splitAnnexB({map.data, map.size});
  if (nals.size() > 1 && nals[0].type == 9) {
    // Back from the second NAL's header to the start of its start code (3 or 4 bytes).
    std::size_t at = static_cast<std::size_t>(nals[1].bytes.data() - map.data) - 3;
    if (at > 0 && map.data[at - 1] == 0) --at;
    skip = at;
  }
  gst_buffer_unmap(buffer, &map);
  return skip;
}

std::int64_t captureMicrosOf(GstBuffer* buffer) {
  GstReferenceTimestampMeta* meta =
      gst_buffer_get_reference_timestamp_meta(buffer, unixTimestampCaps());
  return meta ? static_cast<std::int64_t>(meta->timestamp / 1000) : core::wallClockMicros();
}

}  // namespace

CapturePipeline::CapturePipeline(const config::Config& config, ControlLoop& loop,
                                 FrameHandler on_frame, FailureHandler on_failure)
    : config_(config),
      loop_(loop),
      on_frame_(std::move(on_frame)),
      on_failure_(std::move(on_failure)),
      encoded_(describeSource(config).encoded) {}

CapturePipeline::~CapturePipeline() {
  pipeline_.reset();
  source_part_.reset();  // after the pipeline that reads from it
}

void CapturePipeline::start() {
  wanted_ = true;
  if (pipeline_ || restart_task_ != 0) return;
  backoff_us_ = kFirstBackoffUs;
  build();
}

void CapturePipeline::stop() {
  wanted_ = false;
  ++generation_;
  loop_.cancel(restart_task_);
  loop_.cancel(watchdog_task_);
  restart_task_ = watchdog_task_ = 0;
  pipeline_.reset();
  source_part_.reset();
  running_ = false;
}

void CapturePipeline::build() {
  restart_task_ = 0;
  const std::uint64_t generation = ++generation_;
  video_info_valid_ = false;
  width_ = height_ = 0;
  splitter_.reset();
  headers_.clear();
  frames_since_build_ = false;
  try {
    spec_ = describeSource(config_);
  } catch (const std::exception& e) {
    spec_ = SourceSpec{};
    spec_.unavailable = "no signal";
    spdlog::error("media: {}", e.what());
  }
  if (!spec_.unavailable.empty()) {
    loop_.post([this, generation] { fail(generation, spec_.unavailable, "source unavailable"); });
    return;
  }
  try {
    // x11: starts the capture child process and puts its pipe into the description.
    if (spec_.prepare) source_part_ = spec_.prepare(spec_.description);
    // Encoded sources: whole access units in Annex-B with SPS/PPS before every IDR, so any
    // viewer can start at any keyframe. The appsink keeps every AU (a dropped one would break
    // decoding until the next IDR), raw frames only the newest.
    const std::string tail =
        spec_.split_access_units
            ? " ! appsink name=capture_sink sync=false max-buffers=0 emit-signals=false "
              "enable-last-sample=false"
        : spec_.encoded
            ? " ! h264parse config-interval=-1 "
              "! video/x-h264,stream-format=byte-stream,alignment=au "
              "! appsink name=capture_sink sync=false max-buffers=0 emit-signals=false "
              "enable-last-sample=false"
            : " ! appsink name=capture_sink sync=false max-buffers=1 "
              "drop=true emit-signals=false enable-last-sample=false "
              "caps=video/x-raw,format=I420";
    pipeline_ = std::make_unique<Pipeline>(
        "capture", spec_.description + tail, [this, generation](const std::string& reason) {
          loop_.post([this, generation, reason] { onPipelineFailure(generation, reason); });
        });
    GstPtr<GstElement> sink = pipeline_->element("capture_sink");
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = [](GstAppSink* s, gpointer self) {
      return onNewSample(GST_ELEMENT(s), self);
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, this, nullptr);
    GstPtr<GstPad> pad = adopt(gst_element_get_static_pad(sink.get(), "sink"));
    gst_pad_add_probe(pad.get(),
                      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                   GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                      &CapturePipeline::onProbe, this, nullptr);
    if (!pipeline_->play()) throw std::runtime_error("the capture pipeline refused to play");
  } catch (const std::exception& e) {
    loop_.post([this, generation, why = std::string(e.what())] {
      fail(generation, spec_.error_reason, why);
    });
    return;
  }
  running_ = true;
  scheduleWatchdog(generation, frames_captured_.load(), 0);
}

// Control thread: an error or the end of the stream, from the pipeline's bus.
void CapturePipeline::onPipelineFailure(std::uint64_t generation, const std::string& reason) {
  if (generation != generation_ || !wanted_) return;
  if (reason == kEndOfStream && spec_.loop && pipeline_) {
    // A file that ended plays again from the start; the flushing seek also restarts the
    // running time, so clocksync paces the new round in real time.
    if (pipeline_->seekToStart()) {
      spdlog::debug("media: {} ended: looping", config_.source);
      return;
    }
  }
  fail(generation, reason == kEndOfStream ? spec_.end_reason : spec_.error_reason, reason);
}

void CapturePipeline::fail(std::uint64_t generation, const std::string& reason,
                           const std::string& why) {
  if (generation != generation_ || !wanted_) return;  // stale: already rebuilt or stopped
  ++generation_;
  loop_.cancel(watchdog_task_);
  watchdog_task_ = 0;
  pipeline_.reset();
  source_part_.reset();  // after the pipeline that reads from it
  running_ = false;
  ++restarts_;
  // A pipeline that delivered frames was healthy: start the backoff over.
  if (frames_since_build_) {
    backoff_us_ = kFirstBackoffUs;
    last_failure_.clear();
  }
  // The same failure every second (a display or device that stays away) is logged once.
  const auto level = why == last_failure_ ? spdlog::level::debug : spdlog::level::warn;
  last_failure_ = why;
  spdlog::log(level, "media: capture failed: {} ({}); retrying in {} ms", reason, why,
              backoff_us_ / 1000);
  if (on_failure_) on_failure_(reason);
  restart_task_ = loop_.postDelayed(backoff_us_, [this] {
    restart_task_ = 0;
    if (wanted_ && !pipeline_) build();
  });
  backoff_us_ = std::min(backoff_us_ * 2, kMaxBackoffUs);
}

// A source that goes quiet without an error (a stalled device) is restarted like a failed one
// (except stdin, where a rebuild would lose bytes). A display that closes ends the x11 capture
// child process, which the pipeline sees as the end of its input (sources/x11_source.cpp).
void CapturePipeline::scheduleWatchdog(std::uint64_t generation, std::uint64_t frames_seen,
                                       int quiet_ticks) {
  watchdog_task_ = loop_.postDelayed(kWatchdogPeriodUs, [this, generation, frames_seen,
                                                         quiet_ticks] {
    watchdog_task_ = 0;
    if (generation != generation_) return;
    const std::uint64_t now_seen = frames_captured_.load();
    const int quiet = now_seen == frames_seen ? quiet_ticks + 1 : 0;
    if (quiet >= kQuietTicksBeforeRestart && spec_.restart_when_silent) {
      fail(generation, "no signal",
           "no frame for " + std::to_string(quiet * kWatchdogPeriodUs / 1000) + " ms");
      return;
    }
    scheduleWatchdog(generation, now_seen, quiet);
  });
}

GstPadProbeReturn CapturePipeline::onProbe(GstPad*, GstPadProbeInfo* info, gpointer self) {
  static_cast<CapturePipeline*>(self)->stamp(info);
  return GST_PAD_PROBE_OK;
}

// Runs on the streaming thread just before the appsink takes the buffer: the moment the frame
// leaves the source pipeline, which is the time the stamp promises.
void CapturePipeline::stamp(GstPadProbeInfo* info) {
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(event, &caps);
      const GstStructure* s = gst_caps_get_structure(caps, 0);
      if (s != nullptr) {
        gst_structure_get_int(s, "width", &width_);
        gst_structure_get_int(s, "height", &height_);
      }
      video_info_valid_ = !spec_.encoded && gst_video_info_from_caps(&video_info_, caps);
    }
    return;
  }
  if (!video_info_valid_) return;
  // The source's pool buffer normally has one ref, so this rarely copies.
  GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buffer;
  const std::int64_t now_us = core::wallClockMicros();
  GstVideoFrame frame;
  if (gst_video_frame_map(&frame, &video_info_, buffer, GST_MAP_WRITE)) {
    core::writeLatencyStamp(static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                            GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                            GST_VIDEO_FRAME_HEIGHT(&frame), now_us,
                            static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 1)),
                            GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1),
                            static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 2)),
                            GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 2));
    gst_video_frame_unmap(&frame);
  }
  gst_buffer_add_reference_timestamp_meta(
      buffer, unixTimestampCaps(), static_cast<GstClockTime>(now_us) * 1000, GST_CLOCK_TIME_NONE);
}

GstFlowReturn CapturePipeline::onNewSample(GstElement* sink, gpointer self_ptr) {
  auto* self = static_cast<CapturePipeline*>(self_ptr);
  GstPtr<GstSample> sample = adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  if (!sample) return GST_FLOW_OK;
  GstBuffer* buffer = gst_sample_get_buffer(sample.get());
  if (buffer == nullptr) return GST_FLOW_OK;
  if (self->spec_.split_access_units) {
    self->splitAndDeliver(buffer);
  } else if (self->spec_.encoded) {
    // Without h264parse's delimiter, as a sub-buffer (no copy).
    GstPtr<GstBuffer> trimmed;
    if (const std::size_t skip = addedDelimiterBytes(buffer); skip > 0) {
      trimmed = adopt(gst_buffer_copy_region(buffer, GST_BUFFER_COPY_ALL, skip,
                                             gst_buffer_get_size(buffer) - skip));
      buffer = trimmed.get();
    }
    self->deliver(buffer);
  } else {
    self->deliver(buffer);
  }
  return GST_FLOW_OK;
}

void CapturePipeline::deliver(GstBuffer* buffer) {
  frames_captured_.fetch_add(1);
  frames_since_build_ = true;
  if (!on_frame_) return;
  try {
    on_frame_(Frame{buffer, captureMicrosOf(buffer), width_, height_, spec_.encoded});
  } catch (const std::exception& e) {
    spdlog::error("media: capture frame handler failed: {}", e.what());
  }
}

// Streaming thread: a chunk of the byte stream as read; whole access units go on.
void CapturePipeline::splitAndDeliver(GstBuffer* chunk) {
  GstMapInfo map;
  if (!gst_buffer_map(chunk, &map, GST_MAP_READ)) return;
  splitter_.push({map.data, map.size},
                 [this](std::span<const std::uint8_t> au) { deliverAccessUnit(au); });
  gst_buffer_unmap(chunk, &map);
}

void CapturePipeline::deliverAccessUnit(std::span<const std::uint8_t> access_unit) {
  bool has_sps = false;
  std::vector<std::uint8_t> headers;
  for (const auto& nal : core::splitAnnexB(access_unit)) {
    if (nal.type != 7 && nal.type != 8) continue;
    has_sps = has_sps || nal.type == 7;
    headers.insert(headers.end(), {0, 0, 0, 1});
    headers.insert(headers.end(), nal.bytes.begin(), nal.bytes.end());
  }
  if (has_sps) {
    headers_ = std::move(headers);
    if (const auto size = spsPictureSize(access_unit)) {
      width_ = size->width;
      height_ = size->height;
    }
  }
  const bool keyframe = core::containsIdr(access_unit);
  // The producer's bytes as they are. Only an IDR that came without SPS/PPS gets the last ones
  // in front, so a viewer can start on it (producers should repeat them: x264's
  // repeat-headers=1, and then nothing is ever added).
  const bool add_headers = keyframe && !has_sps && !headers_.empty();
  const std::size_t size = access_unit.size() + (add_headers ? headers_.size() : 0);
  GstPtr<GstBuffer> buffer = adopt(gst_buffer_new_allocate(nullptr, size, nullptr));
  if (!buffer) return;
  std::size_t at = 0;
  if (add_headers) at = gst_buffer_fill(buffer.get(), 0, headers_.data(), headers_.size());
  gst_buffer_fill(buffer.get(), at, access_unit.data(), access_unit.size());
  if (!keyframe) GST_BUFFER_FLAG_SET(buffer.get(), GST_BUFFER_FLAG_DELTA_UNIT);
  // Timed by arrival (the producer paces the stream), on a clock that never goes back, as
  // fdsrc's do-timestamp did before h264parse: recorders and muxers need increasing times.
  const auto now_ns = static_cast<GstClockTime>(core::steadyMicros()) * 1000;
  GST_BUFFER_PTS(buffer.get()) = GST_BUFFER_DTS(buffer.get()) = now_ns;
  deliver(buffer.get());
}

}  // namespace framewire::media
