#pragma once
// EncodeBranch: one encoder in its own pipeline, `appsrc ! <encoder...> ! appsink`, fed with
// the capture's raw frames and handing every encoded buffer to an output handler.
//
// Raw frames enter without a pixel copy (a shallow buffer copy carries the branch's own PTS).
// Each frame's wall-clock times cross the encoder through FrameTimes, keyed by that PTS.
// The valve (setOpen) decides whether frames enter at all: a branch nobody watches encodes
// nothing. A pipeline error rebuilds the branch with backoff.
//
// Threads: prepare()/run()/halt()/sendUpstream() on the ControlLoop thread; push() on the
// capture streaming thread; the output handler on the branch's own streaming thread;
// setOpen() and the counters from any thread.

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "media/control_loop.hpp"
#include "media/frame_times.hpp"
#include "media/gst_ptr.hpp"
#include "media/media_engine.hpp"
#include "media/pipeline.hpp"

namespace framewire::media {

struct BranchSpec {
  std::string id;       // "main", "jpeg"
  std::string codec;    // "h264", "jpeg"
  std::string encoder;  // the GStreamer encoder element
  // gst-launch description with `appsrc name=branch_src` first and `appsink name=branch_sink`
  // last.
  std::string description;
  int fps = 30;  // for buffer durations
  // Bytes of one raw input frame at the caps' size; frames of another size (a source that
  // changed size before the branch followed) are refused. 0: no check (encoded input).
  std::size_t frame_bytes = 0;
  // The capture thread runs the encoder itself: push() hands the frame straight to the
  // element after the appsrc and returns once it is encoded and published, as a dedicated
  // single-viewer pipeline does. No thread handoff (each one costs a scheduler wake-up,
  // milliseconds on a busy machine), and the capture thread does not fill the next frame while
  // the encoder works. An encoder that takes more than 3/4 of a frame interval, or a capture
  // thread that falls behind the frame rate with encoding a third of its time (a busy machine
  // gives one thread too small a share), falls back to the queued path (encoding and capture
  // overlap again) for at least 10 s, until encoding is quick again. false:
  // frames are queued to the appsrc's own thread (only the newest waits, older ones dropped).
  bool inline_encode = false;
};

// Bytes of one I420 frame (what the raw branches take).
std::size_t i420Bytes(int width, int height);

class EncodeBranch {
 public:
  // `buffer` is borrowed for the call; `encoded_us` is the wall clock when it left the encoder;
  // `time.pts_ns` is the branch stream time (from 0).
  using OutputHandler =
      std::function<void(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us)>;

  EncodeBranch(BranchSpec spec, ControlLoop& loop, OutputHandler on_output);
  ~EncodeBranch();

  // Builds the pipeline without starting it; throws when the description is invalid.
  void prepare();
  void run();   // to PLAYING (rebuilding if needed)
  void halt();  // to NULL; frames are refused until run()
  // New caps (a new size): the pipeline is rebuilt with `description` and, if it was running,
  // played again; the valve and the subscribers are untouched.
  void reconfigure(std::string description, std::size_t frame_bytes);

  // Control thread: sets a property of the running pipeline's element `element` (e.g. the
  // encoder's bitrate) without a rebuild; false when not running or refused. The description
  // for later builds is replaced by `description` either way.
  bool setLiveProperty(const std::string& element, const std::string& property,
                       const std::string& value, std::string description);

  // Control thread: asked when the pipeline fails while it should run; a description it
  // returns replaces the current one for the rebuild (a branch moving to its next encoder).
  using FailureHook = std::function<std::optional<std::string>(const std::string& reason)>;
  void setFailureHook(FailureHook hook) { failure_hook_ = std::move(hook); }

  void setOpen(bool open) { open_ = open; }
  bool isOpen() const { return open_.load(); }

  // Returns whether the frame entered the encoder.
  bool push(GstBuffer* buffer, std::int64_t capture_us);

  // Sends an upstream event (e.g. force-key-unit) into the encoder. Takes ownership.
  void sendUpstream(GstPtr<GstEvent> event);

  BranchState state() const;

 private:
  void build();
  void fail(std::uint64_t generation, const std::string& reason);
  static GstFlowReturn onNewSample(GstElement* sink, gpointer self);
  void handleSample(GstElement* sink);
  bool pushInline(GstBuffer* buffer);

  BranchSpec spec_;  // description changes only on the control thread
  ControlLoop& loop_;
  const OutputHandler on_output_;
  const std::int64_t base_us_;  // steady time of PTS 0
  const std::uint64_t duration_ns_;

  // Control thread state.
  std::unique_ptr<Pipeline> pipeline_;
  GstPtr<GstPad> sink_pad_;  // the appsink's sink pad: upstream events start here
  bool should_run_ = false;
  std::uint64_t generation_ = 0;
  ControlLoop::TaskId rebuild_task_ = 0;
  FailureHook failure_hook_;

  // Shared with the capture thread: the appsrc frames go into while the branch runs.
  mutable std::mutex src_mutex_;
  GstPtr<GstElement> src_;
  std::uint64_t last_pts_ns_ = 0;
  // Inline encode: the appsrc's src pad, pushed on directly, and whether this pipeline's
  // segment went out (the appsrc's own thread sends stream-start and caps, never a segment).
  GstPtr<GstPad> inline_pad_;
  bool inline_segment_sent_ = false;
  // An encoder that takes most of a frame interval inline would hold the capture back (the
  // source's own work and the encoder then no longer overlap): the branch falls back to the
  // queued path until encoding is quick again. Capture-thread state, under src_mutex_.
  bool queued_fallback_ = false;
  std::int64_t inline_cost_us_ = 0;  // running mean of the inline push time
  std::int64_t push_gap_us_ = 0;     // running mean of the time between two pushes
  std::int64_t last_push_us_ = 0;
  std::int64_t fallback_since_us_ = 0;
  // Set by the output thread: the running mean of push → output on the queued path, and the
  // PTS of the newest frame out (inline resumes only once every queued frame is out).
  std::atomic<std::int64_t> queued_cost_us_{0};
  std::atomic<std::uint64_t> last_out_pts_ns_{0};

  FrameTimes times_;
  std::atomic<bool> open_{false};
  std::atomic<std::size_t> frame_bytes_{0};
  std::atomic<std::uint64_t> frames_in_{0};
  std::atomic<std::uint64_t> frames_out_{0};
};

}  // namespace framewire::media
