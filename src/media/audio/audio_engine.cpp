#include "media/audio/audio_engine.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "media/audio/capture_offset.hpp"
#include "media/audio/sample_timeline.hpp"
#include "media/audio/test_burst.hpp"
#include "media/control_loop.hpp"
#include "media/frame_wrap.hpp"
#include "media/gst_ptr.hpp"
#include "media/pipeline.hpp"

namespace framewire::media {
namespace {

// Audio frames are small and many (100 a second at 10 ms): a subscriber may lag 200 ms before
// it is flushed; it then resumes at the next frame (every frame is a "keyframe").
constexpr std::size_t kMailboxFrames = 20;
constexpr std::int64_t kFirstRetryUs = 2'000'000;
constexpr std::int64_t kMaxRetryUs = 30'000'000;

std::string packageFor(const std::string& element) {
  if (element == "pulsesrc") return "gstreamer1.0-pulseaudio";
  if (element == "alsasrc") return "gstreamer1.0-alsa";
  if (element == "pipewiresrc") return "gstreamer1.0-pipewire";
  if (element == "opusenc" || element == "audiotestsrc" || element == "audioconvert" ||
      element == "audioresample" || element == "appsink")
    return "gstreamer1.0-plugins-base";
  if (element == "avenc_g722") return "gstreamer1.0-libav";
  return "gstreamer1.0-plugins-good";
}

core::Codec codecOf(const std::string& name) {
  if (name == "pcmu") return core::Codec::kPcmu;
  if (name == "pcma") return core::Codec::kPcma;
  if (name == "g722") return core::Codec::kG722;
  return core::Codec::kOpus;
}

bool initGstreamer() {
  GError* raw_error = nullptr;
  if (gst_init_check(nullptr, nullptr, &raw_error)) return true;
  GstPtr<GError> error = adopt(raw_error);
  spdlog::warn("audio: cannot initialise GStreamer ({}): audio is off",
               error ? error->message : "unknown error");
  return false;
}

}  // namespace

class AudioEngine::Impl {
 public:
  explicit Impl(const config::Config& config)
      : bus_("audio", bus::FrameBusOptions{kMailboxFrames, 250'000}),
        source_(config::effectiveAudioSource(config.audio, config.source)),
        device_(config.audio.device),
        format_(audioFormatFor(config.audio)),
        codec_(codecOf(config.audio.codec)),
        lipsync_(config.audio.lipsync),
        linger_us_(static_cast<std::int64_t>(config.linger_seconds * 1e6)) {
    if (source_ == "none" || !initGstreamer()) return;
    plan_ = describeAudio(config.audio, source_);
    for (const auto& name : plan_.elements) {
      if (!adopt(gst_element_factory_find(name.c_str()))) {
        spdlog::warn("audio: GStreamer element '{}' is missing (install {}): audio is off, "
                     "video carries on",
                     name, packageFor(name));
        return;
      }
    }
    enabled_ = true;
  }

  ~Impl() { stop(); }

  void start() {
    if (!enabled_ || started_) return;
    started_ = true;
    spdlog::info("audio: {} from {}{}, {} Hz, {} ms frames; starts with the first listener",
                 format_.codec, source_, device_.empty() ? "" : " (" + device_ + ")",
                 format_.sample_rate, format_.frame_ms);
    bus_.setDemandListener([this](std::size_t) { loop_.post([this] { updateDemand(); }); });
    loop_.post([this] { updateDemand(); });
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    bus_.setDemandListener({});
    loop_.runSync([this] {
      loop_.cancel(linger_task_);
      loop_.cancel(retry_task_);
      linger_task_ = retry_task_ = 0;
      teardown();
    });
    loop_.stop();
  }

  bus::FrameBus* bus() { return enabled_ ? &bus_ : nullptr; }
  const AudioFormat& format() const { return format_; }

  AudioState state() const {
    AudioState s;
    s.source = enabled_ ? source_ : "none";
    s.codec = format_.codec;
    s.sample_rate = format_.sample_rate;
    s.channels = format_.channels;
    s.frame_ms = format_.frame_ms;
    s.lipsync = lipsync_;
    s.capturing = capturing_.load();
    s.frames = frames_.load();
    s.failures = failures_.load();
    if (plan_.burst && s.capturing) s.burst_epoch_us = burst_epoch_us_.load();
    std::lock_guard lock(error_mutex_);
    s.error = error_;
    return s;
  }

 private:
  // Control thread.
  void updateDemand() {
    if (stopped_) return;
    const std::size_t listeners = bus_.subscriberCount();
    if (listeners > 0) {
      loop_.cancel(linger_task_);
      linger_task_ = 0;
      if (!pipeline_ && retry_task_ == 0) startPipeline();
    } else if (pipeline_ && linger_task_ == 0) {
      linger_task_ = loop_.postDelayed(linger_us_, [this] {
        linger_task_ = 0;
        if (bus_.subscriberCount() > 0) return;
        spdlog::info("audio: nobody listened for {} s: stopping capture", linger_us_ / 1e6);
        teardown();
      });
    } else if (listeners == 0 && retry_task_ != 0) {
      loop_.cancel(retry_task_);  // nobody to retry for
      retry_task_ = 0;
    }
  }

  void startPipeline() {
    const std::uint64_t generation = ++generation_;
    try {
      {
        std::lock_guard lock(error_mutex_);
        pipeline_error_.clear();
      }
      pipeline_ = std::make_unique<Pipeline>(
          "audio", plan_.description, [this, generation](const std::string& reason) {
            {
              // Kept for play(): a device that cannot open fails the state change, and its
              // error message (the useful part) arrives on this thread first.
              std::lock_guard lock(error_mutex_);
              pipeline_error_ = reason;
            }
            loop_.post([this, generation, reason] { fail(generation, reason); });
          });
      GstPtr<GstElement> sink = pipeline_->element("audio_sink");
      GstAppSinkCallbacks callbacks{};
      callbacks.new_sample = [](GstAppSink* s, gpointer self) {
        static_cast<Impl*>(self)->onSample(s);
        return GST_FLOW_OK;
      };
      gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, this, nullptr);
      capture_offset_.reset();
      sample_timeline_.reset();
      capture_offset_us_ = kUnknownOffset;
      GstPtr<GstElement> end =
          plan_.measured_capture ? pipeline_->element("capture_end") : GstPtr<GstElement>();
      if (GstPtr<GstPad> pad = adopt(end ? gst_element_get_static_pad(end.get(), "sink") : nullptr)) {
        gst_pad_add_probe(
            pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
            [](GstPad* probed, GstPadProbeInfo* info, gpointer self) {
              static_cast<Impl*>(self)->onCaptured(probed, info);
              return GST_PAD_PROBE_OK;
            },
            this, nullptr);
      }
      GstPtr<GstElement> bursts =
          plan_.burst ? pipeline_->element("burst_source") : GstPtr<GstElement>();
      if (GstPtr<GstPad> pad = adopt(bursts ? gst_element_get_static_pad(bursts.get(), "src") : nullptr)) {
        gst_pad_add_probe(
            pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
            [](GstPad*, GstPadProbeInfo* info, gpointer) {
              writeBursts(info);
              return GST_PAD_PROBE_OK;
            },
            nullptr, nullptr);
      }
      first_frame_ = true;
      if (!pipeline_->play()) {
        std::string why;
        {
          std::lock_guard lock(error_mutex_);
          why = pipeline_error_;
        }
        return fail(generation, why.empty() ? "the pipeline refused to start" : why);
      }
      spdlog::debug("audio: first listener: capture started");
    } catch (const std::exception& e) {
      fail(generation, e.what());
    }
  }

  void teardown() {
    ++generation_;
    pipeline_.reset();  // to NULL: joins the streaming threads
    capturing_ = false;
  }

  void fail(std::uint64_t generation, const std::string& reason) {
    if (generation != generation_) return;  // stale: already torn down or restarted
    teardown();
    const auto failures = failures_.fetch_add(1) + 1;
    {
      std::lock_guard lock(error_mutex_);
      error_ = reason;
    }
    // One clear line per outage; retries after it are quiet until capture works again.
    if (!in_outage_) {
      in_outage_ = true;
      spdlog::warn("audio: cannot capture from {}{}: {}; no sound for now (video is not "
                   "affected), retrying while someone listens",
                   source_, device_.empty() ? " (default device)" : " (" + device_ + ")",
                   reason);
    } else {
      spdlog::debug("audio: still failing ({}): {}", failures, reason);
    }
    if (bus_.subscriberCount() == 0 || stopped_) return;
    retry_us_ = retry_us_ == 0 ? kFirstRetryUs : std::min(retry_us_ * 2, kMaxRetryUs);
    loop_.cancel(retry_task_);
    retry_task_ = loop_.postDelayed(retry_us_, [this] {
      retry_task_ = 0;
      updateDemand();
    });
  }

  void recovered() {
    {
      std::lock_guard lock(error_mutex_);
      error_.clear();
    }
    retry_us_ = 0;
    if (in_outage_) {
      in_outage_ = false;
      spdlog::info("audio: capturing from {} again", source_);
    }
  }

  // Streaming thread: the test source's silence (S16LE mono, TestBurst::kSampleRate) gets its
  // bursts and markers, placed by the buffer's PTS (running time: sample 0 is the first burst).
  static void writeBursts(GstPadProbeInfo* info) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    const GstClockTime pts = GST_BUFFER_PTS(buffer);
    if (!GST_CLOCK_TIME_IS_VALID(pts)) return;
    // wave=silence marks its buffers as gaps, which audioconvert turns into silence unread
    GST_BUFFER_FLAG_UNSET(buffer, GST_BUFFER_FLAG_GAP);
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_WRITE)) return;
    const auto first = static_cast<std::int64_t>(
        gst_util_uint64_scale_round(pts, TestBurst::kSampleRate, GST_SECOND));
    std::vector<std::int16_t> samples(map.size / 2);
    writeTestBurst(first, samples.data(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {  // little-endian, whatever the host
      const auto v = static_cast<std::uint16_t>(samples[i]);
      map.data[2 * i] = static_cast<guint8>(v & 0xff);
      map.data[2 * i + 1] = static_cast<guint8>(v >> 8);
    }
    gst_buffer_unmap(buffer, &map);
  }

  // Streaming thread: a buffer without a duration (pipewiresrc's) is restamped on a
  // sample-exact timeline (sample_timeline.hpp); false when its format is not known.
  bool restamp(GstPad* pad, GstPadProbeInfo* info) {
    GstPtr<GstCaps> caps = adopt(gst_pad_get_current_caps(pad));
    const GstStructure* st = caps && gst_caps_get_size(caps.get()) > 0
                                 ? gst_caps_get_structure(caps.get(), 0)
                                 : nullptr;
    int rate = 0;
    int channels = 0;
    const char* format = st ? gst_structure_get_string(st, "format") : nullptr;
    if (!st || !format || !gst_structure_get_int(st, "rate", &rate) ||
        !gst_structure_get_int(st, "channels", &channels) || rate <= 0 || channels <= 0) {
      return false;
    }
    const int frame_bytes = audioBytesPerSample(format) * channels;
    if (frame_bytes <= 0) return false;
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    const GstClockTime arrival = GST_BUFFER_PTS(buffer);
    const auto stamp = sample_timeline_.next(
        static_cast<std::int64_t>(gst_buffer_get_size(buffer) / frame_bytes), rate,
        GST_CLOCK_TIME_IS_VALID(arrival)
            ? std::optional<std::int64_t>(static_cast<std::int64_t>(arrival))
            : std::nullopt);
    GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(stamp.pts_ns);
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION(buffer) = static_cast<GstClockTime>(stamp.duration_ns);
    return true;
  }

  // Streaming thread: a raw buffer leaves the capture part (plan_.measured_capture).
  void onCaptured(GstPad* pad, GstPadProbeInfo* info) {
    if (!GST_CLOCK_TIME_IS_VALID(GST_BUFFER_DURATION(GST_PAD_PROBE_INFO_BUFFER(info))) &&
        !restamp(pad, info)) {
      return;
    }
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const GstClockTime pts = GST_BUFFER_PTS(buffer);
    const GstClockTime duration = GST_BUFFER_DURATION(buffer);
    if (!GST_CLOCK_TIME_IS_VALID(pts) || !GST_CLOCK_TIME_IS_VALID(duration)) return;
    capture_offset_.observe(static_cast<std::int64_t>(pts / 1000),
                            static_cast<std::int64_t>(duration / 1000), core::wallClockMicros());
    if (auto offset = capture_offset_.offset()) capture_offset_us_ = *offset;
  }

  // Streaming thread.
  void onSample(GstAppSink* sink) {
    GstPtr<GstSample> sample = adopt(gst_app_sink_pull_sample(sink));
    if (!sample) return;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    if (buffer == nullptr) return;
    const std::int64_t now_us = core::wallClockMicros();
    std::int64_t capture_us = now_us;
    // The first sample's age on the pipeline's clock (whatever that clock is: the sound
    // card's, PulseAudio's or the system's), taken off the wall clock now.
    const GstClockTime pts = GST_BUFFER_PTS(buffer);
    if (GstClock* clock = gst_element_get_clock(GST_ELEMENT(sink))) {
      const auto running_ns = static_cast<std::int64_t>(gst_clock_get_time(clock)) -
                              static_cast<std::int64_t>(gst_element_get_base_time(GST_ELEMENT(sink)));
      gst_object_unref(clock);
      if (GST_CLOCK_TIME_IS_VALID(pts)) {
        const auto age_ns = running_ns - static_cast<std::int64_t>(pts);
        if (age_ns > 0 && age_ns < 5'000'000'000) capture_us = now_us - age_ns / 1000;
      }
      // Test bursts start at running time 0: its wall time, once per pipeline.
      if (plan_.burst && first_frame_.load()) burst_epoch_us_ = now_us - running_ns / 1000;
    }
    // A device: its PTS on the measured mapping (capture_offset.hpp), not the clock's age.
    const std::int64_t offset_us = capture_offset_us_.load();
    if (plan_.measured_capture && offset_us != kUnknownOffset && GST_CLOCK_TIME_IS_VALID(pts)) {
      capture_us = std::min(now_us, offset_us + static_cast<std::int64_t>(pts / 1000));
    }
    std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
    if (!frame) return;
    frame->codec = codec_;
    frame->keyframe = true;
    frame->sequence = sequence_++;
    frame->pts_ns = GST_CLOCK_TIME_IS_VALID(pts) ? static_cast<std::int64_t>(pts) : 0;
    frame->capture_us = capture_us;
    frame->encoded_us = now_us;
    frames_.fetch_add(1);
    if (first_frame_.exchange(false)) {
      capturing_ = true;
      loop_.post([this] { recovered(); });
    }
    bus_.publish(frame);
  }

  // The loop first: it outlives everything that posts to it.
  ControlLoop loop_;
  bus::FrameBus bus_;
  const std::string source_;
  const std::string device_;
  const AudioFormat format_;
  const core::Codec codec_;
  const bool lipsync_;
  const std::int64_t linger_us_;
  AudioPlan plan_;
  bool enabled_ = false;

  // Control thread state.
  std::unique_ptr<Pipeline> pipeline_;
  std::uint64_t generation_ = 0;
  ControlLoop::TaskId linger_task_ = 0;
  ControlLoop::TaskId retry_task_ = 0;
  std::int64_t retry_us_ = 0;
  bool in_outage_ = false;

  // Shared.
  std::atomic<bool> first_frame_{false};
  std::atomic<bool> capturing_{false};
  std::atomic<std::uint64_t> frames_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::int64_t> burst_epoch_us_{0};
  // The capture's PTS → wall-clock mapping (measured_capture): written by the capture's
  // streaming thread, read by the appsink's (the same one unless a custom part has a queue).
  static constexpr std::int64_t kUnknownOffset = std::numeric_limits<std::int64_t>::min();
  CaptureOffset capture_offset_;  // the capture's streaming thread (and startPipeline before it runs)
  SampleTimeline sample_timeline_;  // likewise
  std::atomic<std::int64_t> capture_offset_us_{kUnknownOffset};
  std::uint64_t sequence_ = 0;  // streaming thread only
  mutable std::mutex error_mutex_;
  std::string error_;
  std::string pipeline_error_;  // the newest error message of the current pipeline

  // Main thread state.
  bool started_ = false;
  bool stopped_ = false;
};

AudioEngine::AudioEngine(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}
AudioEngine::~AudioEngine() { stop(); }
void AudioEngine::start() { impl_->start(); }
void AudioEngine::stop() { impl_->stop(); }
bus::FrameBus* AudioEngine::bus() { return impl_->bus(); }
const AudioFormat& AudioEngine::format() const { return impl_->format(); }
AudioState AudioEngine::state() const { return impl_->state(); }

}  // namespace framewire::media
