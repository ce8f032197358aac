#include "record/recorder.hpp"

#include <fmt/format.h>

#include <system_error>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "record/feed_thread.hpp"
#include "record/push_pipeline.hpp"
#include "record/recording_files.hpp"

namespace framewire::record {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string isoTime(std::int64_t wall_us) {
  const std::time_t seconds = static_cast<std::time_t>(wall_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, (wall_us / 1000) % 1000);
}

std::string mp4Tail(int fragment_ms, int audio_channels) {
  // streamable: the header is written once at the start and never rewritten, so what is on
  // disk is always a valid fragmented file. Unbuffered: every fragment reaches the kernel as
  // the muxer emits it, so a killed process leaves no fragment half in a stdio buffer.
  // The audio (when recorded) joins the same muxer from its own appsrc.
  std::string tail = fmt::format(
      "h264parse ! mp4mux name=mux fragment-duration={} streamable=true ! filesink name=sink "
      "async=false buffer-mode=unbuffered",
      fragment_ms);
  if (audio_channels > 0) {
    tail += fmt::format(
        " appsrc name=audio_src is-live=true format=time do-timestamp=false "
        "caps=audio/x-opus,channel-mapping-family=0,rate=48000,channels={} ! opusparse ! mux.",
        audio_channels);
  }
  return tail;
}

// A frame's time in the file: its capture time (the wall clock when it left the source, the
// latency stamp's time), so the file plays in step with what happened even when the source or
// encoder skips or delays frames; the branch's stream time for frames that have none.
std::int64_t streamTime(const core::EncodedFrame& frame) {
  return frame.capture_us > 0 ? frame.capture_us * 1000 : frame.pts_ns;
}

}  // namespace

// One recording: its thread, the file being written and its counters. Counters are written
// on the feed thread and read by state() under `stats_mutex`.
class Recorder::Session {
 public:
  Session(bus::FrameBus& bus, const RecorderOptions& options, const EventSink& events)
      : bus_(bus), options_(options), events_(events), started_us_(core::wallClockMicros()) {}

  // Opens the feed (the first frame it gets is a keyframe).
  void begin() {
    FeedThread::Handlers handlers;
    handlers.on_frame = [this](const core::FramePtr& frame) { return onFrame(frame); };
    handlers.on_tick = [this] { return onTick(); };
    handlers.on_exit = [this] { onExit(); };
    begun_us_ = core::steadyMicros();
    feed_ = std::make_unique<FeedThread>(bus_, options_.queue_frames, 250, std::move(handlers));
    if (options_.audio) {
      feed_->addSource(*options_.audio, options_.audio_queue_frames,
                       [this](const core::FramePtr& frame) { return onAudio(frame); });
    }
    feed_->start();
  }

  void end(std::string reason) {
    {
      std::lock_guard lock(stats_mutex_);
      if (stop_reason_.empty()) stop_reason_ = std::move(reason);
    }
    feed_->stop();
  }

  bool running() const { return feed_ && feed_->running(); }

  std::string error() const {
    std::lock_guard lock(stats_mutex_);
    return error_;
  }

  json state() const {
    std::lock_guard lock(stats_mutex_);
    const auto counters = feed_ ? feed_->counters() : bus::SubscriberCounters{};
    return json{{"active", feed_ && feed_->running()},
                {"file", file_},
                {"started", isoTime(started_us_)},
                {"elapsed_s", (core::wallClockMicros() - started_us_) / 1e6},
                {"bytes", bytes_total_},
                {"file_bytes", file_bytes_},
                {"frames", frames_total_},
                {"dropped", dropped_ + counters.frames_dropped},
                {"files", files_}};
  }

 private:
  bool onFrame(const core::FramePtr& frame) {
    if (frame->codec != core::Codec::kH264) return true;
    if (waiting_for_keyframe_ && !frame->keyframe) {
      countDrop();
      return true;
    }
    if (!writer_ && (waitingForAudio() || (held_for_audio_ && !frame->keyframe))) {
      // Not a drop: the file has not begun. It begins at a keyframe, asked for when the
      // audio comes (onAudio) or the wait for it ends (here, once).
      if (!held_for_audio_) held_for_audio_ = true;
      else if (!waitingForAudio() && !keyframe_asked_after_wait_) {
        keyframe_asked_after_wait_ = true;
        bus_.requestKeyframe();
      }
      return true;
    }
    waiting_for_keyframe_ = false;
    if (!writer_ || rotationDue(*frame)) {
      if (!openFile(*frame)) return false;
    }
    switch (writer_->push(frame, streamTime(*frame))) {
      case PushPipeline::Push::kOk:
        break;
      case PushPipeline::Push::kQueueFull:
        // The disk does not keep up: drop until the next keyframe so the file stays decodable.
        countDrop();
        waiting_for_keyframe_ = true;
        bus_.requestKeyframe();
        return true;
      case PushPipeline::Push::kFailed:
        return fail(writer_->takeError().value_or("write failed"));
    }
    ++frames_in_file_;
    bytes_in_file_ += frame->size;
    std::lock_guard lock(stats_mutex_);
    ++frames_total_;
    bytes_total_ += frame->size;
    return true;
  }

  bool onAudio(const core::FramePtr& frame) {
    const bool first = last_audio_us_ == 0;
    last_audio_us_ = core::steadyMicros();
    if (first && !writer_) bus_.requestKeyframe();  // the file can begin now, with sound
    if (!writer_ || waiting_for_keyframe_) return true;  // the file starts with the video
    if (writer_->pushAudio(frame, streamTime(*frame)) == PushPipeline::Push::kFailed) {
      return fail(writer_->takeError().value_or("write failed"));
    }
    return true;
  }

  // A file whose audio track never gets a frame is unreadable (no sample description), so
  // the first file waits up to 2 s for the audio capture to start (it starts with the
  // recorder's subscription); without sound by then it is video only.
  bool waitingForAudio() const {
    return options_.audio && last_audio_us_ == 0 &&
           core::steadyMicros() - begun_us_ < 2'000'000;
  }
  // Whether the next file gets an audio track: frames arrived within the last second.
  bool audioFlowing() const {
    return options_.audio && last_audio_us_ != 0 &&
           core::steadyMicros() - last_audio_us_ < 1'000'000;
  }

  bool onTick() {
    if (!writer_) return true;
    if (auto error = writer_->takeError()) return fail(*error);
    const auto now = core::steadyMicros();
    if (now - last_check_us_ < 1'000'000) return true;
    last_check_us_ = now;
    std::error_code ec;
    const auto size = fs::file_size(options_.dir / file_, ec);
    {
      std::lock_guard lock(stats_mutex_);
      if (!ec) file_bytes_ = size;
    }
    if (options_.max_total_bytes > 0 || options_.max_files > 0) {
      announceDeleted(enforceLimits(options_.dir, file_, options_.max_files,
                                    options_.max_total_bytes));
      if (options_.max_total_bytes > 0 && !ec && size > options_.max_total_bytes) {
        return fail(fmt::format("the recording reached the maximum total size ({} bytes)",
                                options_.max_total_bytes));
      }
    }
    return true;
  }

  void onExit() {
    closeFile();
    std::string reason;
    {
      std::lock_guard lock(stats_mutex_);
      reason = stop_reason_.empty() ? "stopped" : stop_reason_;
    }
    const json snapshot = state();
    spdlog::info("recording stopped ({}): {} frames, {} bytes", reason,
                 snapshot["frames"].get<std::uint64_t>(), snapshot["bytes"].get<std::uint64_t>());
    events_(json{{"type", "record_stopped"},
                 {"reason", reason},
                 {"branch", bus_.name()},
                 {"file", snapshot["file"]},
                 {"frames", snapshot["frames"]},
                 {"bytes", snapshot["bytes"]},
                 {"dropped", snapshot["dropped"]},
                 {"files", snapshot["files"]},
                 {"elapsed_s", snapshot["elapsed_s"]}});
  }

  bool rotationDue(const core::EncodedFrame& frame) {
    const bool due =
        (options_.segment_seconds > 0 &&
         streamTime(frame) - file_start_ns_ >=
             static_cast<std::int64_t>(options_.segment_seconds * 1e9)) ||
        (options_.segment_bytes > 0 && bytes_in_file_ >= options_.segment_bytes);
    if (!due) return false;
    if (frame.keyframe) return true;
    if (!rotation_requested_) {  // keyframes may come only on request (GOP 0)
      rotation_requested_ = true;
      bus_.requestKeyframe();
    }
    return false;
  }

  bool openFile(const core::EncodedFrame& frame) {
    const std::string previous = file_;
    closeFile();
    const std::string name = recordingFileName(bus_.name(), core::wallClockMicros());
    try {
      writer_ = std::make_unique<PushPipeline>(
          mp4Tail(options_.fragment_ms, audioFlowing() ? options_.audio_channels : 0),
          std::map<std::string, std::string>{{"location", (options_.dir / name).string()}},
          options_.max_queued_bytes);
    } catch (const std::exception& e) {
      return fail(fmt::format("cannot write {}: {}", name, e.what()));
    }
    file_start_ns_ = streamTime(frame);  // for segmenting by duration
    frames_in_file_ = 0;
    bytes_in_file_ = 0;
    rotation_requested_ = false;
    {
      std::lock_guard lock(stats_mutex_);
      file_ = name;
      file_bytes_ = 0;
      ++files_;
    }
    spdlog::info("recording {} to {}", bus_.name(), (options_.dir / name).string());
    if (previous.empty()) {
      events_(json{{"type", "record_started"},
                   {"branch", bus_.name()},
                   {"file", name},
                   {"started", isoTime(started_us_)}});
    } else {
      events_(json{{"type", "record_file"}, {"branch", bus_.name()}, {"file", name},
                   {"previous", previous}});
    }
    if (options_.max_files > 0 || options_.max_total_bytes > 0) {
      announceDeleted(enforceLimits(options_.dir, name, options_.max_files,
                                    options_.max_total_bytes));
    }
    return true;
  }

  void closeFile() {
    if (!writer_) return;
    auto writer = std::move(writer_);
    if (auto error = writer->finish(5000)) {
      spdlog::warn("recording {}: {}", file_, *error);
    }
    std::error_code ec;
    const auto size = fs::file_size(options_.dir / file_, ec);
    std::lock_guard lock(stats_mutex_);
    if (!ec) file_bytes_ = size;
  }

  bool fail(const std::string& reason) {
    spdlog::error("recording {} failed: {}", file_, reason);
    {
      std::lock_guard lock(stats_mutex_);
      error_ = reason;
      stop_reason_ = "error";
    }
    events_(json{{"type", "record_error"}, {"branch", bus_.name()}, {"file", file_},
                 {"reason", reason}});
    return false;  // ends the feed; onExit finishes what is on disk
  }

  void countDrop() {
    std::uint64_t dropped;
    {
      std::lock_guard lock(stats_mutex_);
      dropped = ++dropped_;
    }
    if (dropped == 1 || dropped % 100 == 0) {
      spdlog::warn("recording {}: {} frames dropped (the disk does not keep up)", file_, dropped);
    }
  }

  void announceDeleted(const std::vector<std::string>& names) {
    for (const auto& name : names) {
      spdlog::info("recording limits: deleted {}", name);
      events_(json{{"type", "recording_deleted"}, {"file", name}, {"reason", "limits"}});
    }
  }

  bus::FrameBus& bus_;
  const RecorderOptions options_;
  const EventSink events_;
  const std::int64_t started_us_;
  std::unique_ptr<FeedThread> feed_;

  // Feed thread only.
  std::unique_ptr<PushPipeline> writer_;
  std::int64_t file_start_ns_ = 0;
  std::uint64_t frames_in_file_ = 0;
  std::uint64_t bytes_in_file_ = 0;
  std::int64_t last_check_us_ = 0;
  bool waiting_for_keyframe_ = false;
  std::int64_t begun_us_ = 0;       // steady clock
  std::int64_t last_audio_us_ = 0;  // steady clock; 0: no audio frame yet
  bool held_for_audio_ = false;     // the first file waited for the audio to start
  bool keyframe_asked_after_wait_ = false;
  bool rotation_requested_ = false;

  mutable std::mutex stats_mutex_;
  std::string file_;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t frames_total_ = 0;
  std::uint64_t bytes_total_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t files_ = 0;
  std::string stop_reason_;
  std::string error_;
};

Recorder::Recorder(bus::FrameBus& bus, RecorderOptions options, EventSink events)
    : bus_(bus), options_(std::move(options)), events_(std::move(events)) {}

Recorder::~Recorder() { stop(); }

void Recorder::reapFinished() {
  if (session_ && !session_->running()) {
    const std::string error = session_->error();
    if (!error.empty()) last_error_ = error;
    session_->end("stopped");  // joins the ended thread
  }
}

std::string Recorder::start() {
  std::lock_guard lock(mutex_);
  reapFinished();
  if (session_ && session_->running()) return "already recording";
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec || !fs::is_directory(options_.dir, ec)) {
    return fmt::format("cannot create the recording directory {}: {}", options_.dir.string(),
                       ec ? ec.message() : "not a directory");
  }
  session_ = std::make_unique<Session>(bus_, options_, events_);
  session_->begin();
  return {};
}

bool Recorder::stop() {
  std::unique_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    reapFinished();
    if (!session_ || !session_->running()) return false;
    session = std::move(session_);
  }
  session->end("stopped");
  std::lock_guard lock(mutex_);
  if (!session_) session_ = std::move(session);  // keep its figures for state()
  return true;
}

bool Recorder::active() const {
  std::lock_guard lock(mutex_);
  return session_ && session_->running();
}

json Recorder::state() const {
  std::lock_guard lock(mutex_);
  json state = session_ ? session_->state() : json{{"active", false}};
  state["branch"] = bus_.name();
  state["dir"] = options_.dir.string();
  std::string error = last_error_;
  if (session_ && !session_->error().empty()) error = session_->error();
  state["last_error"] = error;
  return state;
}

}  // namespace framewire::record
