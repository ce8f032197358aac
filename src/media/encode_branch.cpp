#include "media/encode_branch.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace framewire::media {
namespace {
constexpr std::int64_t kRebuildDelayUs = 500'000;
// Branch PTS start here. GstVideoEncoder subclasses (x264enc among them) declare a minimum
// PTS of 1000 hours to keep DTS positive and shift every smaller PTS up by the difference;
// starting above it keeps output PTS equal to input PTS, which FrameTimes relies on.
constexpr std::uint64_t kPtsBaseNs = 1000ull * 3600 * 1'000'000'000;
}  // namespace

EncodeBranch::EncodeBranch(BranchSpec spec, ControlLoop& loop, OutputHandler on_output)
    : spec_(std::move(spec)),
      loop_(loop),
      on_output_(std::move(on_output)),
      base_us_(core::steadyMicros()),
      duration_ns_(1'000'000'000ull / static_cast<std::uint64_t>(spec_.fps > 0 ? spec_.fps : 30)),
      frame_bytes_(spec_.frame_bytes) {}

std::size_t i420Bytes(int width, int height) {
  // GStreamer's own layout (rows padded to 4 bytes), which is what converters produce.
  GstVideoInfo info;
  if (!gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width, height)) return 0;
  return GST_VIDEO_INFO_SIZE(&info);
}

void EncodeBranch::reconfigure(std::string description, std::size_t frame_bytes) {
  spec_.description = std::move(description);
  spec_.frame_bytes = frame_bytes;
  frame_bytes_ = frame_bytes;
  const bool was_running = should_run_;
  loop_.cancel(rebuild_task_);
  rebuild_task_ = 0;
  {
    std::lock_guard lock(src_mutex_);
    src_.reset();
    inline_pad_.reset();
  }
  sink_pad_.reset();
  pipeline_.reset();
  ++generation_;
  times_.clear();
  if (was_running) run();
}

bool EncodeBranch::setLiveProperty(const std::string& element, const std::string& property,
                                   const std::string& value, std::string description) {
  spec_.description = std::move(description);
  if (!pipeline_) return false;
  try {
    GstPtr<GstElement> target = pipeline_->element(element);
    GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(target.get()),
                                                    property.c_str());
    if (spec == nullptr) return false;
    gst_util_set_object_arg(G_OBJECT(target.get()), property.c_str(), value.c_str());
    return true;
  } catch (const std::exception&) {
    return false;  // no such element
  }
}

EncodeBranch::~EncodeBranch() {
  {
    std::lock_guard lock(src_mutex_);
    src_.reset();
    inline_pad_.reset();
  }
  sink_pad_.reset();
  pipeline_.reset();
}

void EncodeBranch::prepare() {
  if (!pipeline_) build();
}

void EncodeBranch::build() {
  const std::uint64_t generation = ++generation_;
  pipeline_ = std::make_unique<Pipeline>(
      "branch-" + spec_.id, spec_.description, [this, generation](const std::string& reason) {
        loop_.post([this, generation, reason] { fail(generation, reason); });
      });
  GstPtr<GstElement> sink = pipeline_->element("branch_sink");
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = [](GstAppSink* s, gpointer self) {
    return onNewSample(GST_ELEMENT(s), self);
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, this, nullptr);
  sink_pad_ = adopt(gst_element_get_static_pad(sink.get(), "sink"));
}

void EncodeBranch::run() {
  should_run_ = true;
  if (rebuild_task_ != 0) return;  // a rebuild is pending and will play
  if (!pipeline_) {
    try {
      build();
    } catch (const std::exception& e) {
      fail(generation_, e.what());
      return;
    }
  }
  {
    std::lock_guard lock(src_mutex_);
    if (src_) return;  // already running
  }
  if (!pipeline_->play()) {
    fail(generation_, "refused to play");
    return;
  }
  std::lock_guard lock(src_mutex_);
  src_ = pipeline_->element("branch_src");
  if (spec_.inline_encode) {
    inline_pad_ = adopt(gst_element_get_static_pad(src_.get(), "src"));
    inline_segment_sent_ = false;
  }
}

void EncodeBranch::halt() {
  should_run_ = false;
  loop_.cancel(rebuild_task_);
  rebuild_task_ = 0;
  {
    std::lock_guard lock(src_mutex_);
    src_.reset();
    inline_pad_.reset();
  }
  if (pipeline_) pipeline_->stopNow();
  times_.clear();
}

void EncodeBranch::fail(std::uint64_t generation, const std::string& reason) {
  if (generation != generation_) return;  // stale: already rebuilt or halted
  {
    std::lock_guard lock(src_mutex_);
    src_.reset();
    inline_pad_.reset();
  }
  sink_pad_.reset();
  pipeline_.reset();
  ++generation_;
  times_.clear();
  if (!should_run_) return;
  if (failure_hook_) {
    if (auto next = failure_hook_(reason)) spec_.description = std::move(*next);
  }
  spdlog::warn("media: branch {} failed ({}); rebuilding in {} ms", spec_.id, reason,
               kRebuildDelayUs / 1000);
  loop_.cancel(rebuild_task_);
  rebuild_task_ = loop_.postDelayed(kRebuildDelayUs, [this] {
    rebuild_task_ = 0;
    if (should_run_) run();
  });
}

bool EncodeBranch::push(GstBuffer* buffer, std::int64_t capture_us) {
  if (!open_.load()) return false;
  const std::size_t expected = frame_bytes_.load();
  if (expected != 0 && gst_buffer_get_size(buffer) != expected) return false;  // another size
  std::lock_guard lock(src_mutex_);
  if (!src_) return false;
  // Our own clock for the branch: strictly increasing across capture restarts.
  const std::int64_t now_us = core::steadyMicros();
  const bool all_out = last_out_pts_ns_.load() == last_pts_ns_;
  if (last_push_us_ > 0) push_gap_us_ += (now_us - last_push_us_ - push_gap_us_) / 8;
  last_push_us_ = now_us;
  std::uint64_t pts = kPtsBaseNs + static_cast<std::uint64_t>(now_us - base_us_) * 1000;
  if (pts <= last_pts_ns_) pts = last_pts_ns_ + 1;
  last_pts_ns_ = pts;
  // Shallow: the copy shares the raw frame's memory, only the metadata is new.
  GstBuffer* copy = gst_buffer_copy(buffer);
  GST_BUFFER_PTS(copy) = pts;
  GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(copy) = duration_ns_;
  times_.add({pts, capture_us, core::wallClockMicros()});
  // Back to inline after a while on the queue, once encoding is quick and every queued frame
  // is out (so frames still enter the encoder in order).
  if (inline_pad_ && queued_fallback_ && all_out && now_us - fallback_since_us_ > 10'000'000 &&
      queued_cost_us_.load() < static_cast<std::int64_t>(duration_ns_ / 1000) * 2 / 5) {
    queued_fallback_ = false;
    inline_cost_us_ = 0;
    spdlog::info("media: branch {} encodes inline again", spec_.id);
  }
  if (inline_pad_ && !queued_fallback_) return pushInline(copy);
  // The appsrc is leaky (drops its oldest): a slow encoder skips frames instead of lagging.
  if (gst_app_src_push_buffer(GST_APP_SRC(src_.get()), copy) != GST_FLOW_OK) return false;
  frames_in_.fetch_add(1);
  return true;
}

// Called with src_mutex_ held (halt() and rebuilds wait for the frame being encoded). Takes
// `buffer`.
bool EncodeBranch::pushInline(GstBuffer* buffer) {
  if (!inline_segment_sent_) {
    // The appsrc's thread pushes stream-start and caps as soon as it runs; until then the
    // encoder is not negotiated and the frame is skipped.
    if (!gst_pad_has_current_caps(inline_pad_.get())) {
      gst_buffer_unref(buffer);
      return false;
    }
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    if (!gst_pad_push_event(inline_pad_.get(), gst_event_new_segment(&segment))) {
      gst_buffer_unref(buffer);
      return false;
    }
    inline_segment_sent_ = true;
  }
  frames_in_.fetch_add(1);
  // Encodes, and publishes through the appsink's callback, before it returns.
  const std::int64_t start_us = core::steadyMicros();
  const bool ok = gst_pad_push(inline_pad_.get(), buffer) == GST_FLOW_OK;
  inline_cost_us_ += (core::steadyMicros() - start_us - inline_cost_us_) / 8;
  // Too slow: the encode alone takes most of a frame interval, or the capture thread falls
  // behind the frame rate and encoding is a third of its time or more (a busy machine gives
  // one thread too small a share: queued, capture and encoder overlap on two).
  const std::int64_t interval_us = static_cast<std::int64_t>(duration_ns_ / 1000);
  const bool behind = push_gap_us_ > interval_us * 5 / 4 && inline_cost_us_ * 3 > push_gap_us_;
  if (inline_cost_us_ > interval_us * 3 / 4 || behind) {
    queued_fallback_ = true;
    fallback_since_us_ = core::steadyMicros();
    queued_cost_us_ = inline_cost_us_;
    spdlog::info("media: branch {} takes {} ms a frame inline; queued to its own thread instead",
                 spec_.id, inline_cost_us_ / 1000);
  }
  return ok;
}

void EncodeBranch::sendUpstream(GstPtr<GstEvent> event) {
  if (!sink_pad_ || !event) return;
  gst_pad_push_event(sink_pad_.get(), event.release());
}

GstFlowReturn EncodeBranch::onNewSample(GstElement* sink, gpointer self) {
  try {
    static_cast<EncodeBranch*>(self)->handleSample(sink);
  } catch (const std::exception& e) {
    spdlog::error("media: branch output failed: {}", e.what());
  }
  return GST_FLOW_OK;
}

void EncodeBranch::handleSample(GstElement* sink) {
  GstPtr<GstSample> sample = adopt(gst_app_sink_pull_sample(GST_APP_SINK(sink)));
  if (!sample) return;
  GstBuffer* buffer = gst_sample_get_buffer(sample.get());
  if (buffer == nullptr) return;
  const std::int64_t encoded_us = core::wallClockMicros();
  const std::uint64_t pts = GST_BUFFER_PTS(buffer);
  FrameTime time = times_.take(pts).value_or(FrameTime{pts, 0, 0});
  last_out_pts_ns_ = pts;
  if (time.encode_start_us > 0) {
    const std::int64_t cost = encoded_us - time.encode_start_us;
    queued_cost_us_ = queued_cost_us_.load() + (cost - queued_cost_us_.load()) / 8;
  }
  // Subscribers see the branch's stream time from zero, not the encoder-friendly base.
  time.pts_ns = pts >= kPtsBaseNs ? pts - kPtsBaseNs : pts;
  frames_out_.fetch_add(1);
  if (on_output_) on_output_(buffer, time, encoded_us);
}

BranchState EncodeBranch::state() const {
  BranchState s;
  s.id = spec_.id;
  s.codec = spec_.codec;
  s.encoder = spec_.encoder;
  {
    std::lock_guard lock(src_mutex_);
    s.encoding = open_.load() && src_ != nullptr;
  }
  s.frames_in = frames_in_.load();
  s.frames_out = frames_out_.load();
  return s;
}

}  // namespace framewire::media
