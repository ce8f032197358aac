#include "media/media_engine.hpp"

#include <gst/gst.h>

#include <atomic>
#include <stdexcept>
#include <utility>

#include "core/log.hpp"
#include "media/capture_pipeline.hpp"
#include "media/control_loop.hpp"
#include "media/gst_ptr.hpp"
#include "media/h264_branch.hpp"
#include "media/jpeg_branch.hpp"
#include "media/test_source.hpp"

namespace framewire::media {
namespace {

// Which Debian package brings each element, for the start-up error message.
std::string packageFor(const std::string& element) {
  if (element == "x264enc") return "gstreamer1.0-plugins-ugly";
  if (element == "h264parse") return "gstreamer1.0-plugins-bad";
  if (element == "jpegenc" || element == "jpegdec") return "gstreamer1.0-plugins-good";
  if (element == "clockoverlay" || element == "timeoverlay") return "gstreamer1.0-plugins-base";
  return "gstreamer1.0-plugins-base";
}

void requireElements(const config::Config& config) {
  std::vector<std::string> needed = sourceElements(config);
  for (const char* name : {"appsrc", "appsink", "x264enc", "h264parse", "jpegenc"}) {
    needed.emplace_back(name);
  }
  for (const auto& name : needed) {
    if (!adopt(gst_element_factory_find(name.c_str()))) {
      throw std::runtime_error("missing GStreamer element '" + name + "' (install " +
                               packageFor(name) + ")");
    }
  }
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
      : config_((initGstreamer(), requireElements(config), config)),
        h264_bus_("main"),
        jpeg_bus_("jpeg"),
        h264_(config_, loop_, h264_bus_),
        jpeg_(config_, loop_, jpeg_bus_),
        capture_(config_, loop_, [this](GstBuffer* buffer, std::int64_t capture_us) {
          h264_.offer(buffer, capture_us);
          jpeg_.offer(buffer, capture_us);
        }) {
    // Fail at start-up, not at the first viewer, when the source cannot be described.
    (void)sourceDescription(config_);
  }

  ~Impl() { stop(); }

  void start() {
    if (started_ || stopped_) return;
    started_ = true;
    // Parse both branch pipelines now, so a bad preset or profile stops start-up.
    loop_.runSync([this] {
      h264_.branch().prepare();
      jpeg_.branch().prepare();
    });
    // Demand listeners and the keyframe sender fire on arbitrary threads: only post.
    h264_bus_.setDemandListener([this](std::size_t) { loop_.post([this] { updateDemand(); }); });
    jpeg_bus_.setDemandListener([this](std::size_t) { loop_.post([this] { updateDemand(); }); });
    h264_bus_.setKeyframeSender([this] { loop_.post([this] { h264_.forceKeyframe(); }); });
    loop_.post([this] { updateDemand(); });  // subscribers may have joined before start()
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    h264_bus_.setDemandListener({});
    jpeg_bus_.setDemandListener({});
    h264_bus_.setKeyframeSender({});
    loop_.runSync([this] {
      loop_.cancel(linger_task_);
      linger_task_ = 0;
      capture_.stop();
      h264_.branch().halt();
      jpeg_.branch().halt();
    });
    loop_.stop();
  }

  MediaState state() const {
    MediaState s;
    s.source = config_.source;
    s.capturing = capture_.running();
    s.width = config_.width;
    s.height = config_.height;
    s.fps = config_.fps;
    s.frames_captured = capture_.framesCaptured();
    s.capture_restarts = capture_.restarts();
    s.branches = {h264_.branch().state(), jpeg_.branch().state()};
    return s;
  }

  bus::FrameBus& h264Bus() { return h264_bus_; }
  bus::LatestFrameBus& jpegBus() { return jpeg_bus_; }

 private:
  // Control thread. Reads the current counts rather than the notified ones, so a burst of
  // joins and leaves settles on the truth.
  void updateDemand() {
    const std::size_t h264 = h264_bus_.subscriberCount();
    const std::size_t jpeg = jpeg_bus_.watcherCount();
    if (h264 + jpeg > 0) {
      loop_.cancel(linger_task_);
      linger_task_ = 0;
      if (!capturing_) {
        spdlog::info("media: first viewer: starting capture");
        // Encoders first, so the first captured frame finds them playing.
        h264_.branch().run();
        jpeg_.branch().run();
        capture_.start();
        capturing_ = true;
      }
    } else if (capturing_ && linger_task_ == 0) {
      const auto linger_us = static_cast<std::int64_t>(config_.linger_seconds * 1e6);
      linger_task_ = loop_.postDelayed(linger_us, [this] { lingerExpired(); });
    }
    // Valves follow the counts; the H.264 one asks for an IDR when it opens.
    h264_.setDemand(h264);
    jpeg_.setDemand(jpeg);
  }

  void lingerExpired() {
    linger_task_ = 0;
    if (h264_bus_.subscriberCount() + jpeg_bus_.watcherCount() > 0) return;
    spdlog::info("media: nobody watched for {} s: stopping capture", config_.linger_seconds);
    capture_.stop();
    h264_.branch().halt();
    jpeg_.branch().halt();
    capturing_ = false;
  }

  // The loop is declared first so it outlives every component that posts to it.
  ControlLoop loop_;
  const config::Config config_;
  bus::FrameBus h264_bus_;
  bus::LatestFrameBus jpeg_bus_;
  H264Branch h264_;
  JpegBranch jpeg_;
  CapturePipeline capture_;

  // Control thread state.
  ControlLoop::TaskId linger_task_ = 0;
  bool capturing_ = false;

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

}  // namespace framewire::media
