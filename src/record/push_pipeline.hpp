#pragma once
// PushPipeline: encoded H.264 access units in, a muxer and a sink out, nothing re-encoded.
// "appsrc name=src ! <tail>": the tail names its sink "sink" when the caller sets properties
// on it (a file path, a URL) so no value is ever quoted into a launch string.
//
// The frames are handed to appsrc without copying (the buffer holds the frame). push() never
// blocks: when the queue inside the pipeline holds more than `max_queued_bytes` the frame is
// refused (the caller drops it and restarts at a keyframe).
//
// Threads: one owner thread calls everything; GStreamer's streaming threads do the writing.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/encoded_frame.hpp"

namespace framewire::record {

class PushPipeline {
 public:
  // Throws std::runtime_error with GStreamer's reason when the pipeline cannot be built or
  // started (a missing plugin, an unwritable file).
  PushPipeline(const std::string& tail, const std::map<std::string, std::string>& sink_props,
               std::uint64_t max_queued_bytes);
  ~PushPipeline();  // stops at once (no EOS)
  PushPipeline(const PushPipeline&) = delete;
  PushPipeline& operator=(const PushPipeline&) = delete;

  // `stream_ns` is the frame's time on any clock (capture or stream time). The pipeline's
  // timeline starts at 0 with the first frame it takes and never goes back: a frame that is not
  // later than the last one taken is placed 1 ms after it, so muxers always get increasing
  // timestamps. A refused frame leaves the timeline as it was.
  enum class Push { kOk, kQueueFull, kFailed };
  Push push(const core::FramePtr& frame, std::int64_t stream_ns);
  // A second stream (the recorder's audio) into the tail's appsrc named "audio_src", on the
  // same timeline: frames from before the timeline's start (the first push()) or not later
  // than this stream's last one are dropped (kOk), so the tracks start together.
  Push pushAudio(const core::FramePtr& frame, std::int64_t stream_ns);

  // An element of the pipeline by name (a GstElement*, owned by the pipeline), or nullptr.
  // For callers that configure an element GStreamer-side (e.g. webrtcbin).
  void* element(const std::string& name) const;

  // The first error the pipeline reported since the last call, if any.
  std::optional<std::string> takeError();
  // Sends EOS and waits up to `timeout_ms` for it to come out (the muxer finishes the file),
  // then stops. Returns an error text when the pipeline failed meanwhile.
  std::optional<std::string> finish(int timeout_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace framewire::record
