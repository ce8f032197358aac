#pragma once
// NoSignalSource: generated "NO SIGNAL" frames that stand in for a failed or silent source.
//
// While shown, it produces I420 frames at the stream's size and fps on its own thread (not
// the control thread, which may be busy rebuilding the capture), each a copy of a picture
// that says NO SIGNAL and the reason, with the latency stamp written at the moment it leaves,
// so encoders, viewers and latency measurement carry on as with live frames.
//
// Threads: show()/hide()/stop() from any thread; the frame handler runs on the generator
// thread and must not block.

#include <gst/gst.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "media/gst_ptr.hpp"

namespace framewire::media {

class NoSignalSource {
 public:
  using FrameHandler = std::function<void(GstBuffer* buffer, std::int64_t capture_us)>;

  NoSignalSource(int fps, FrameHandler on_frame);
  ~NoSignalSource();
  NoSignalSource(const NoSignalSource&) = delete;
  NoSignalSource& operator=(const NoSignalSource&) = delete;

  // Starts (or keeps) producing frames saying `reason` at width x height.
  void show(const std::string& reason, int width, int height);
  void hide();
  // Renders the picture ahead of time so the first switch does not wait for font loading.
  void prepare(const std::string& reason, int width, int height);
  void stop();  // joins the thread; safe to call twice

  std::uint64_t framesGenerated() const { return frames_.load(); }

  // One picture saying NO SIGNAL and `reason` (exposed for tests). Throws on failure.
  static GstPtr<GstBuffer> render(const std::string& reason, int width, int height);

 private:
  void run();

  const std::int64_t period_us_;
  const FrameHandler on_frame_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool active_ = false;
  bool stopping_ = false;
  std::string reason_ = "no signal";
  int width_ = 0;
  int height_ = 0;
  std::uint64_t wanted_version_ = 0;  // bumped when reason or size change

  std::atomic<std::uint64_t> frames_{0};
  std::thread thread_;
};

}  // namespace framewire::media
