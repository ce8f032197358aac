#include "media/media_engine.hpp"

#include <gst/gst.h>

#include <atomic>
#include <csignal>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "core/log.hpp"
#include "media/capture_pipeline.hpp"
#include "media/control_loop.hpp"
#include "media/encoders/codec_branch.hpp"
#include "media/encoders/encoder_probe.hpp"
#include "media/gst_ptr.hpp"
#include "media/h264_branch.hpp"
#include "media/jpeg_branch.hpp"
#include "media/jpeg_decode_branch.hpp"
#include "media/signal_router.hpp"
#include "media/sources/h264_slices.hpp"
#include "media/sources/source_spec.hpp"

namespace framewire::media {
namespace {

// Which Debian package brings each element, for the start-up error message.
std::string packageFor(const std::string& element) {
  if (element == "x264enc") return "gstreamer1.0-plugins-ugly";
  if (element == "h264parse") return "gstreamer1.0-plugins-bad";
  if (element == "jpegenc" || element == "jpegdec" || element == "v4l2src" ||
      element == "rtspsrc" || element == "rtph264depay")
    return "gstreamer1.0-plugins-good";
  if (element == "avdec_h264") return "gstreamer1.0-libav";
  if (element == "ximagesrc") return "gstreamer1.0-x";
  if (element == "clockoverlay" || element == "timeoverlay") return "gstreamer1.0-plugins-base";
  return "gstreamer1.0-plugins-base";
}

void requireElements(const config::Config& config) {
  const SourceSpec spec = describeSource(config);
  std::vector<std::string> needed = spec.elements;
  if (spec.encoded) needed.emplace_back("avdec_h264");
  for (const char* name : {"appsrc", "appsink", "x264enc", "h264parse", "jpegenc",
                           "videotestsrc", "textoverlay"}) {
    needed.emplace_back(name);
  }
  for (const auto& name : needed) {
    if (!adopt(gst_element_factory_find(name.c_str()))) {
      throw std::runtime_error("missing GStreamer element '" + name + "' (install " +
                               packageFor(name) + ")");
    }
  }
}

// `branches:`: every branch's encoder, params and expressions, before anything is built.
void checkBranches(const config::Config& config) {
  if (config.branches.empty()) return;
  if (describeSource(config).encoded) {
    throw std::runtime_error(
        "branches: cannot be used with a source whose H.264 is passed through "
        "(it is never decoded for other encoders); remove branches: or the pass-through");
  }
  const encoders::Probe probe = encoders::systemProbe();
  for (const auto& b : config.branches) CodecBranch::check(b, config, probe);
}

void initGstreamer() {
  GError* raw_error = nullptr;
  if (!gst_init_check(nullptr, nullptr, &raw_error)) {
    GstPtr<GError> error = adopt(raw_error);
    throw std::runtime_error(std::string("cannot initialise GStreamer: ") +
                             (error ? error->message : "unknown error"));
  }
}

}  // namespace

class MediaEngine::Impl {
 public:
  explicit Impl(const config::Config& config)
      : config_((initGstreamer(), requireElements(config), checkBranches(config), config)),
        h264_bus_("main"),
        jpeg_bus_("jpeg"),
        h264_(config_, loop_, h264_bus_),
        jpeg_(config_, loop_, jpeg_bus_),
        jpeg_decode_(config_, loop_, jpeg_bus_),
        router_(config_.fps, config_.source_settings.signal_timeout_s, config_.width,
                config_.height, routerOutputs()),
        capture_(
            config_, loop_, [this](const CapturePipeline::Frame& f) { router_.onCapture(f); },
            [this](const std::string& reason) { router_.onFailure(reason); }),
        passthrough_(capture_.encoded()) {
    if (passthrough_) h264_.setEncoderPublishing(false);  // until the signal is lost
    if (!config_.branches.empty()) {
      if (passthrough_) {
        throw std::runtime_error(
            "branches: cannot be used with a source whose H.264 is passed through "
            "(it is never decoded for other encoders); remove branches: or the pass-through");
      }
      const encoders::Probe probe = encoders::systemProbe();
      for (const auto& b : config_.branches) {
        branches_.push_back(std::make_unique<CodecBranch>(b, config_, probe, loop_));
      }
    }
  }

  ~Impl() { stop(); }

  void start() {
    if (started_ || stopped_) return;
    started_ = true;
    // Parse both branch pipelines now, so a bad preset or profile stops start-up.
    loop_.runSync([this] {
      if (branches_.empty()) h264_.branch().prepare();
      for (auto& b : branches_) b->branch().prepare();
      jpeg_.branch().prepare();
      if (passthrough_) jpeg_decode_.branch().prepare();
    });
    // Demand listeners and the keyframe sender fire on arbitrary threads: only post.
    h264_bus_.setDemandListener([this](std::size_t) { loop_.post([this] { updateDemand(); }); });
    jpeg_bus_.setDemandListener([this](std::size_t) { loop_.post([this] { updateDemand(); }); });
    h264_bus_.setKeyframeSender([this] { loop_.post([this] { sendKeyframe(); }); });
    for (auto& b : branches_) {
      CodecBranch* branch = b.get();
      branch->bus().setDemandListener(
          [this](std::size_t) { loop_.post([this] { updateDemand(); }); });
      branch->bus().setKeyframeSender(
          [this, branch] { loop_.post([branch] { branch->forceKeyframe(); }); });
    }
    loop_.post([this] { updateDemand(); });  // subscribers may have joined before start()
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    h264_bus_.setDemandListener({});
    jpeg_bus_.setDemandListener({});
    h264_bus_.setKeyframeSender({});
    for (auto& b : branches_) {
      b->bus().setDemandListener({});
      b->bus().setKeyframeSender({});
    }
    loop_.runSync([this] {
      loop_.cancel(linger_task_);
      loop_.cancel(tick_task_);
      linger_task_ = tick_task_ = 0;
      router_.stop();
      capture_.stop();
      h264_.branch().halt();
      for (auto& b : branches_) b->branch().halt();
      jpeg_.branch().halt();
      jpeg_decode_.branch().halt();
    });
    loop_.stop();
  }

  MediaState state() const {
    MediaState s;
    s.source = config_.source;
    s.capturing = capture_.running();
    {
      std::lock_guard lock(size_mutex_);
      s.width = width_;
      s.height = height_;
    }
    s.fps = config_.fps;
    s.frames_captured = capture_.framesCaptured();
    s.capture_restarts = capture_.restarts();
    if (branches_.empty()) s.branches.push_back(h264_.branch().state());
    for (const auto& b : branches_) s.branches.push_back(b->branch().state());
    s.branches.push_back(jpeg_.branch().state());
    if (passthrough_) s.branches.push_back(jpeg_decode_.branch().state());
    const SignalStatus signal = router_.status();
    s.signal = signal.lost ? "lost" : "live";
    s.signal_reason = signal.reason;
    s.last_signal_change_us = signal.last_change_us;
    s.signal_losses = signal.losses;
    s.no_signal_frames = signal.no_signal_frames;
    s.passthrough = passthrough_;
    s.bframes = bframes_.load();
    return s;
  }

  void setEventListener(EventListener listener) {
    std::lock_guard lock(listener_mutex_);
    listener_ = std::move(listener);
  }

  bus::FrameBus& h264Bus() { return h264_bus_; }
  bus::LatestFrameBus& jpegBus() { return jpeg_bus_; }

  std::vector<CodecBranchSettings> branchSettings() const {
    std::vector<CodecBranchSettings> out;
    if (branches_.empty()) {
      out.push_back(h264_.settings());
    }
    for (const auto& b : branches_) out.push_back(b->settings());
    return out;
  }

  std::string defaultBranch() const {
    return branches_.empty() ? h264_bus_.name() : branches_.front()->id();
  }

  bus::FrameBus* encodedBus(std::string_view id) {
    if (branches_.empty()) return id.empty() || id == h264_bus_.name() ? &h264_bus_ : nullptr;
    if (id.empty()) return &branches_.front()->bus();
    for (auto& b : branches_) {
      if (b->id() == id) return &b->bus();
    }
    return nullptr;
  }

  void applySettings(const SettingsRequest& request,
                     std::function<void(const SettingsOutcome&)> done) {
    loop_.post([this, request, done = std::move(done)] {
      SettingsOutcome outcome;
      try {
        outcome.result = applySettingsNow(request);
        spdlog::info("media: settings of branch {} changed ({})", outcome.result.branch,
                     outcome.result.applied);
      } catch (const std::out_of_range& e) {
        outcome.status = 404;
        outcome.error = e.what();
      } catch (const std::exception& e) {
        outcome.status = 400;
        outcome.error = e.what();
      }
      done(outcome);
    });
  }

 private:
  // Control thread.
  SettingsResult applySettingsNow(const SettingsRequest& request) {
    SettingsResult result;
    result.branch = request.branch.empty() ? defaultBranch() : request.branch;
    CodecBranch* target = nullptr;
    for (auto& b : branches_) {
      if (b->id() == result.branch) target = b.get();
    }
    if (target == nullptr && !(branches_.empty() && result.branch == h264_bus_.name())) {
      throw std::out_of_range("no branch '" + result.branch + "'");
    }
    if (request.jpeg_quality && (*request.jpeg_quality < 1 || *request.jpeg_quality > 100)) {
      throw std::invalid_argument("jpeg_quality: " + std::to_string(*request.jpeg_quality) +
                                  " is not valid: must be 1 to 100");
    }
    const BranchChange& change = request.change;
    if (target != nullptr) {
      result.applied = target->apply(change);
    } else {
      // The built-in "main" branch: bitrate live, the rest rebuilt behind the bus.
      if (passthrough_ && (change.fps || change.gop || change.width || change.height)) {
        throw std::invalid_argument(
            "fps, gop, width and height: the source's H.264 is passed through as it is (they "
            "apply to an encoder; use a raw source format or branches:)");
      }
      result.applied = h264_.apply(change);
    }
    if (request.jpeg_quality) {
      config::Config next = config_;
      {
        std::lock_guard lock(size_mutex_);
        next.width = width_;
        next.height = height_;
      }
      next.jpeg_quality = *request.jpeg_quality;
      jpeg_.branch().setLiveProperty("encoder", "quality", std::to_string(next.jpeg_quality),
                                     JpegBranch::description(next));
    }
    return result;
  }

  // Control thread. Reads the current counts rather than the notified ones, so a burst of
  // joins and leaves settles on the truth.
  void updateDemand() {
    const std::size_t h264 = h264_bus_.subscriberCount();
    const std::size_t jpeg = jpeg_bus_.watcherCount();
    std::size_t others = 0;
    for (const auto& b : branches_) others += b->bus().subscriberCount();
    if (h264 + jpeg + others > 0) {
      loop_.cancel(linger_task_);
      linger_task_ = 0;
      if (!capturing_) {
        spdlog::info("media: first viewer: starting capture");
        // Encoders first, so the first captured frame finds them playing.
        if (branches_.empty()) h264_.branch().run();
        for (auto& b : branches_) b->branch().run();
        jpeg_.branch().run();
        if (passthrough_) jpeg_decode_.branch().run();
        router_.start();
        capture_.start();
        capturing_ = true;
        scheduleTick();
      }
    } else if (capturing_ && linger_task_ == 0) {
      const auto linger_us = static_cast<std::int64_t>(config_.linger_seconds * 1e6);
      linger_task_ = loop_.postDelayed(linger_us, [this] { lingerExpired(); });
    }
    // Valves follow the counts; the H.264 one asks for an IDR when it opens. A pass-through
    // source feeds the H.264 bus itself and the decoding JPEG branch while live; the encoders
    // only carry NO SIGNAL frames.
    const bool encoders = !passthrough_ || lost_;
    h264_.setDemand(encoders && branches_.empty() ? h264 : 0);
    for (auto& b : branches_) b->setDemand(b->bus().subscriberCount());
    jpeg_.setDemand(encoders ? jpeg : 0);
    jpeg_decode_.setDemand(passthrough_ && !lost_ ? jpeg : 0);
  }

  // Control thread.
  void sendKeyframe() {
    if (passthrough_ && !lost_) {
      // The camera cannot be asked: new viewers start at the last keyframe it sent.
      h264_bus_.primeWaiting(h264_bus_.lastKeyframe());
      return;
    }
    h264_.forceKeyframe();
  }

  void scheduleTick() {
    tick_task_ = loop_.postDelayed(100'000, [this] {
      tick_task_ = 0;
      if (!capturing_) return;
      router_.tick();
      scheduleTick();
    });
  }

  SignalRouter::Outputs routerOutputs() {
    SignalRouter::Outputs out;
    out.raw = [this](GstBuffer* buffer, std::int64_t capture_us) {
      h264_.offer(buffer, capture_us);
      for (auto& b : branches_) b->offer(buffer, capture_us);
      jpeg_.offer(buffer, capture_us);
    };
    out.encoded = [this](const CapturePipeline::Frame& f) {
      const bool keyframe = !GST_BUFFER_FLAG_IS_SET(f.buffer, GST_BUFFER_FLAG_DELTA_UNIT);
      checkBFrames(f.buffer);
      h264_.publishPassthrough(f.buffer, f.capture_us, f.width, f.height);
      jpeg_decode_.offer(f.buffer, f.capture_us, keyframe);
    };
    // Called under the router's lock, in frame order: the encoder's NO SIGNAL output is
    // switched here so it never interleaves with the source's access units on the bus.
    out.changed = [this](bool lost, const std::string& reason) {
      if (passthrough_) h264_.setEncoderPublishing(lost);
      loop_.post([this, lost, reason] { signalChanged(lost, reason); });
    };
    out.resized = [this](int width, int height) {
      loop_.post([this, width, height] { resize(width, height); });
    };
    return out;
  }

  void signalChanged(bool lost, const std::string& reason) {
    lost_ = lost;
    updateDemand();
    if (lost) h264_.forceKeyframe();  // the first NO SIGNAL frame viewers get is an IDR
    EventListener listener;
    {
      std::lock_guard lock(listener_mutex_);
      listener = listener_;
    }
    if (listener) {
      try {
        listener(lost ? "signal_lost" : "signal_restored", reason);
      } catch (const std::exception& e) {
        spdlog::error("media: event listener failed: {}", e.what());
      }
    }
    if (lost && reason == "input ended" && config_.source == "stdin" &&
        config_.source_settings.exit_on_eof) {
      spdlog::info("media: stdin ended and exit-on-eof is set: stopping");
      std::raise(SIGTERM);
    }
  }

  void resize(int width, int height) {
    {
      std::lock_guard lock(size_mutex_);
      if (width == width_ && height == height_) return;
      width_ = width;
      height_ = height;
    }
    spdlog::info("media: encoders follow the new size {}x{}", width, height);
    h264_.resize(width, height);
    for (auto& b : branches_) b->sourceResized(width, height);
    jpeg_.resize(width, height);
  }

  // Capture thread, pass-through only: B-frames are legal H.264 but make browsers stutter.
  void checkBFrames(GstBuffer* buffer) {
    if (bframes_.load()) return;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return;
    const bool b = hasBSlice({map.data, map.size});
    gst_buffer_unmap(buffer, &map);
    if (b && !bframes_.exchange(true)) {
      spdlog::warn("media: the {} source sends B-frames: browsers will stutter on them; "
                   "configure the camera or encoder for no B-frames (baseline profile)",
                   config_.source);
    }
  }

  void lingerExpired() {
    linger_task_ = 0;
    std::size_t others = 0;
    for (const auto& b : branches_) others += b->bus().subscriberCount();
    if (h264_bus_.subscriberCount() + jpeg_bus_.watcherCount() + others > 0) return;
    spdlog::info("media: nobody watched for {} s: stopping capture", config_.linger_seconds);
    router_.stop();
    capture_.stop();
    h264_.branch().halt();
    for (auto& b : branches_) b->branch().halt();
    jpeg_.branch().halt();
    jpeg_decode_.branch().halt();
    capturing_ = false;
    loop_.cancel(tick_task_);
    tick_task_ = 0;
  }

  // The loop is declared first so it outlives every component that posts to it.
  ControlLoop loop_;
  const config::Config config_;
  bus::FrameBus h264_bus_;
  bus::LatestFrameBus jpeg_bus_;
  H264Branch h264_;
  JpegBranch jpeg_;
  JpegDecodeBranch jpeg_decode_;  // pass-through sources only
  SignalRouter router_;
  CapturePipeline capture_;
  const bool passthrough_;
  // `branches:` (empty: the built-in H.264 branch "main" above). Built once, never resized,
  // so the capture thread reads the vector without a lock.
  std::vector<std::unique_ptr<CodecBranch>> branches_;

  // Control thread state.
  ControlLoop::TaskId linger_task_ = 0;
  ControlLoop::TaskId tick_task_ = 0;
  bool capturing_ = false;
  bool lost_ = false;

  mutable std::mutex size_mutex_;
  int width_ = config_.width;  // the stream's current size (the source's, when it has one)
  int height_ = config_.height;
  std::atomic<bool> bframes_{false};
  std::mutex listener_mutex_;
  EventListener listener_;

  // Main thread state.
  bool started_ = false;
  bool stopped_ = false;
};

MediaEngine::MediaEngine(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}
MediaEngine::~MediaEngine() { stop(); }

void MediaEngine::start() { impl_->start(); }
void MediaEngine::stop() { impl_->stop(); }

bus::FrameBus& MediaEngine::h264Bus() { return impl_->h264Bus(); }
bus::LatestFrameBus& MediaEngine::jpegBus() { return impl_->jpegBus(); }

MediaState MediaEngine::state() const { return impl_->state(); }

std::vector<CodecBranchSettings> MediaEngine::branchSettings() const {
  return impl_->branchSettings();
}
std::string MediaEngine::defaultBranch() const { return impl_->defaultBranch(); }
bus::FrameBus* MediaEngine::encodedBus(std::string_view id) { return impl_->encodedBus(id); }
void MediaEngine::applySettings(const SettingsRequest& request,
                                std::function<void(const SettingsOutcome&)> done) {
  impl_->applySettings(request, std::move(done));
}

void MediaEngine::setEventListener(EventListener listener) {
  impl_->setEventListener(std::move(listener));
}

}  // namespace framewire::media
