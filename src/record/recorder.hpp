#pragma once
// Recorder: writes one H.264 branch to fragmented MP4 files without re-encoding
// (appsrc ! h264parse ! mp4mux fragment-duration=… ! filesink).
//
// - It is an ordinary FrameBus subscriber with its own thread and a large mailbox: a slow
//   disk never slows live viewers. Frames it cannot take are dropped for it alone, counted
//   and logged, and it resumes at the next keyframe (which it asks for).
// - A file starts on a keyframe (joining the bus asks for one). Buffer times are the frames'
//   own capture times (else their stream times), relative to the file's first frame:
//   variable frame rate, no drift.
// - With `audio` set, Opus frames go into the same file as a second track (appsrc ! opusparse
//   ! the same mp4mux), timed like the video on the file's timeline; audio from before the
//   file's first keyframe is dropped. The first file waits up to 2 s for the audio to start
//   (a track without frames would make the file unreadable); a file opened while no audio
//   arrived for 1 s is video only.
// - Fragmented MP4: the header comes first and every fragment (`fragment_ms`) is complete on
//   disk, so a file stays readable when the process is killed or the disk fills.
// - Optional segments by duration and/or size, each cut at a keyframe (requested when due);
//   files are named with the branch and the start time (recording_files.hpp).
// - Limits: a retention count and a maximum total size of the directory (oldest files go
//   first); when the file being written alone exceeds the total, or writing fails (disk full,
//   unwritable), the recording stops cleanly with record_error and record_stopped events.
//
// Events (JSON objects with "type": record_started, record_file, record_error,
// record_stopped) go to `events`, called on the recorder's thread or the caller's: it must
// not block.
//
// Threads: start(), stop() and state() from any thread (serialised inside).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "bus/frame_bus.hpp"

namespace framewire::record {

struct RecorderOptions {
  std::filesystem::path dir = "recordings";
  double segment_seconds = 0;         // 0: no duration limit per file
  std::uint64_t segment_bytes = 0;    // 0: no size limit per file
  std::uint64_t max_total_bytes = 0;  // of every recording in `dir`; 0: unlimited
  std::size_t max_files = 0;          // retention count; 0: unlimited
  int fragment_ms = 1000;             // MP4 fragment duration
  std::size_t queue_frames = 1200;    // the recorder's mailbox (20 s at 60 fps)
  std::uint64_t max_queued_bytes = 64ull << 20;  // inside the pipeline, before the disk
  // Opus frames (capture times on the video's wall clock) recorded as a second track; null:
  // video only. The bus must outlive the recorder.
  bus::FrameBus* audio = nullptr;
  int audio_channels = 2;
  std::size_t audio_queue_frames = 2000;  // 20 s of 10 ms frames
};

using EventSink = std::function<void(const nlohmann::json& event)>;

class Recorder {
 public:
  Recorder(bus::FrameBus& bus, RecorderOptions options, EventSink events);
  ~Recorder();  // stops a running recording (the file is finished)
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Starts recording. Returns an empty string, or why not ("already recording", "cannot
  // create directory …").
  std::string start();
  // Stops and finishes the file. Returns false when nothing was recording.
  bool stop();
  bool active() const;
  // {"active", "branch", "dir", "file", "started", "elapsed_s", "bytes", "frames", "dropped",
  //  "files", "last_error"}
  nlohmann::json state() const;

  const RecorderOptions& options() const { return options_; }
  const std::string& branch() const { return bus_.name(); }

 private:
  class Session;
  void reapFinished();  // with mutex_ held

  bus::FrameBus& bus_;
  const RecorderOptions options_;
  const EventSink events_;
  mutable std::mutex mutex_;
  std::unique_ptr<Session> session_;
  std::string last_error_;
};

}  // namespace framewire::record
