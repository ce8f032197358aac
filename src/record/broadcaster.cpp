#include "record/broadcaster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "record/feed_thread.hpp"
#include "record/push_pipeline.hpp"

namespace framewire::record {

using nlohmann::json;

namespace {

// The sound for broadcasts: the audio bus's Opus decoded and encoded again as AAC (what FLV
// and most MPEG-TS receivers take), from its own appsrc into the same muxer. avenc_aac
// (FFmpeg's encoder, gstreamer1.0-libav) at 128 kbit/s.
std::string aacBranch(int audio_channels) {
  return fmt::format(
      " appsrc name=audio_src is-live=true format=time do-timestamp=false "
      "caps=audio/x-opus,channel-mapping-family=0,rate=48000,channels={} ! opusdec ! "
      "audioconvert ! audioresample ! avenc_aac bitrate=128000 ! aacparse ! queue "
      "max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000 ! mux.",
      audio_channels);
}

// `audio_channels` 0: video only.
std::string tailFor(const std::string& url, int audio_channels) {
  if (url.starts_with("srt://")) {
    // SPS/PPS before every keyframe so a receiver can join at any keyframe.
    return "h264parse config-interval=-1 ! mpegtsmux name=mux alignment=7 ! "
           "srtsink name=sink wait-for-connection=false auto-reconnect=false async=false "
           "sync=false" +
           (audio_channels > 0 ? aacBranch(audio_channels) : std::string());
  }
  return "h264parse ! flvmux name=mux streamable=true ! rtmp2sink name=sink async-connect=true "
         "async=false sync=false" +
         (audio_channels > 0 ? aacBranch(audio_channels) : std::string());
}

// A frame's time on the broadcast: its capture time when sound goes along (the audio bus's
// frames carry capture times on the same clock), else the branch's stream time as before.
std::int64_t broadcastTime(const core::EncodedFrame& frame, bool with_audio) {
  if (with_audio && frame.capture_us > 0) return frame.capture_us * 1000;
  return frame.pts_ns;
}

std::map<std::string, std::string> sinkPropsFor(const std::string& url) {
  if (url.starts_with("srt://")) return {{"uri", url}};
  return {{"location", url}};
}

std::string isoNow() {
  const auto us = core::wallClockMicros();
  const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

std::string redactUrl(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "***";
  if (url.starts_with("srt://")) {
    const auto query = url.find('?');
    return query == std::string::npos ? url : url.substr(0, query) + "?***";
  }
  // rtmp://host[:port]/app/key…: keep the host and the application, hide the rest.
  const auto host_end = url.find('/', scheme_end + 3);
  if (host_end == std::string::npos) return url;
  const auto app_end = url.find('/', host_end + 1);
  if (app_end == std::string::npos) return url;
  return url.substr(0, app_end) + "/***";
}

// The feed thread's side: the pipeline, its reconnect schedule and the counters.
class Broadcaster::Feed {
 public:
  Feed(bus::FrameBus& bus, std::string url, double retry_max_s, double keyframe_interval_s,
       EventSink events, BroadcastAudio audio)
      : bus_(bus),
        audio_(audio),
        url_(std::move(url)),
        shown_url_(redactUrl(url_)),
        retry_max_us_(static_cast<std::int64_t>(retry_max_s * 1e6)),
        keyframe_interval_us_(static_cast<std::int64_t>(keyframe_interval_s * 1e6)),
        events_(std::move(events)) {
    events_(json{{"type", "broadcast_started"}, {"url", shown_url_}, {"branch", bus_.name()}});
    spdlog::info("broadcast {} to {}", bus_.name(), shown_url_);
    FeedThread::Handlers handlers;
    handlers.on_frame = [this](const core::FramePtr& frame) { return onFrame(frame); };
    handlers.on_tick = [this] { return onTick(); };
    handlers.on_exit = [this] { onExit(); };
    // A short mailbox: a broadcast is live; after a stall it restarts at a keyframe.
    thread_ = std::make_unique<FeedThread>(bus_, 120, 200, std::move(handlers));
    if (audio_.bus) {
      thread_->addSource(*audio_.bus, 200,
                         [this](const core::FramePtr& frame) { return onAudio(frame); });
    }
    begun_us_ = core::steadyMicros();
    thread_->start();
  }

  void stop() { thread_->stop(); }

  json state() const {
    std::lock_guard lock(mutex_);
    const auto counters = thread_ ? thread_->counters() : bus::SubscriberCounters{};
    return json{{"url", shown_url_},       {"branch", bus_.name()},
                {"kind", url_.starts_with("srt://") ? "srt" : "rtmp"},
                {"state", state_},         {"since", since_},
                {"frames", frames_},       {"bytes", bytes_},
                {"dropped", counters.frames_dropped + dropped_},
                {"reconnects", reconnects_}, {"last_error", last_error_}};
  }

 private:
  bool onFrame(const core::FramePtr& frame) {
    if (frame->codec != core::Codec::kH264) return true;
    if (!pipeline_) {
      if (core::steadyMicros() < next_attempt_us_) return true;  // backing off
      if (waitingForAudio()) return true;  // onAudio asks for the keyframe to start on
      if (!frame->keyframe) {
        if (!keyframe_asked_) {
          keyframe_asked_ = true;
          bus_.requestKeyframe();
        }
        return true;
      }
      connect();  // on a keyframe: the connection starts with it
      if (!pipeline_) return true;
    }
    if (waiting_for_keyframe_) {
      if (!frame->keyframe) return true;
      waiting_for_keyframe_ = false;
    }
    if (frame->keyframe) last_keyframe_us_ = core::steadyMicros();
    switch (pipeline_->push(frame, broadcastTime(*frame, with_audio_))) {
      case PushPipeline::Push::kOk:
        break;
      case PushPipeline::Push::kQueueFull: {
        std::lock_guard lock(mutex_);
        ++dropped_;
        waiting_for_keyframe_ = true;
        bus_.requestKeyframe();
        return true;
      }
      case PushPipeline::Push::kFailed:
        lose(pipeline_->takeError().value_or("the sink refused a frame"));
        return true;
    }
    ++frames_in_connection_;
    std::lock_guard lock(mutex_);
    ++frames_;
    bytes_ += frame->size;
    return true;
  }

  bool onAudio(const core::FramePtr& frame) {
    const bool first = last_audio_us_ == 0;
    last_audio_us_ = core::steadyMicros();
    if (first && !pipeline_) bus_.requestKeyframe();  // the connection may start now, with sound
    if (!pipeline_ || !with_audio_ || waiting_for_keyframe_) return true;
    if (pipeline_->pushAudio(frame, broadcastTime(*frame, true)) == PushPipeline::Push::kFailed) {
      lose(pipeline_->takeError().value_or("the sink refused an audio frame"));
    }
    return true;
  }

  // The first connection waits up to 2 s for the sound to start (it starts with this feed's
  // subscription): FLV and MPEG-TS announce their tracks once, at the start.
  bool waitingForAudio() const {
    return audio_.bus && last_audio_us_ == 0 && core::steadyMicros() - begun_us_ < 2'000'000;
  }
  // A connection carries sound when frames arrived within the last second.
  bool audioFlowing() const {
    return audio_.bus && last_audio_us_ != 0 &&
           core::steadyMicros() - last_audio_us_ < 1'000'000;
  }

  bool onTick() {
    if (!pipeline_) {
      // Nothing arrives while the bus is idle; ask for the keyframe a reconnect starts on.
      if (core::steadyMicros() >= next_attempt_us_ && !keyframe_asked_) {
        keyframe_asked_ = true;
        bus_.requestKeyframe();
      }
      return true;
    }
    if (auto error = pipeline_->takeError()) {
      lose(*error);
      return true;
    }
    requestPeriodicKeyframe();
    // Frames flowing for 2 s without an error: the server took them.
    if (state_ != "live" && core::steadyMicros() - connected_us_ > 2'000'000 &&
        frames_in_connection_ > 0) {
      {
        std::lock_guard lock(mutex_);
        state_ = "live";
        since_ = isoNow();
      }
      backoff_us_ = 0;
      events_(json{{"type", "broadcast_connected"}, {"url", shown_url_}, {"branch", bus_.name()}});
      spdlog::info("broadcast to {} is live", shown_url_);
    }
    return true;
  }

  // Late joiners of the server start at a keyframe: keep one coming every interval, whatever
  // the branch's GOP (asked again each interval until it arrives).
  void requestPeriodicKeyframe() {
    if (keyframe_interval_us_ <= 0) return;
    const auto now = core::steadyMicros();
    if (now - last_keyframe_us_ < keyframe_interval_us_) return;
    if (now - last_periodic_request_us_ < keyframe_interval_us_) return;
    last_periodic_request_us_ = now;
    bus_.requestKeyframe();
  }

  void onExit() {
    if (pipeline_) pipeline_.reset();  // set to NULL at once: a live stream has no file to finish
    {
      std::lock_guard lock(mutex_);
      state_ = "stopped";
      since_ = isoNow();
    }
    events_(json{{"type", "broadcast_stopped"}, {"url", shown_url_}, {"branch", bus_.name()},
                 {"frames", frames_}, {"reconnects", reconnects_}});
    spdlog::info("broadcast to {} stopped", shown_url_);
  }

  void connect() {
    keyframe_asked_ = false;
    waiting_for_keyframe_ = false;
    try {
      with_audio_ = audioFlowing();
      pipeline_ = std::make_unique<PushPipeline>(
          tailFor(url_, with_audio_ ? audio_.channels : 0), sinkPropsFor(url_), 16u << 20);
    } catch (const std::exception& e) {
      lose(e.what());
      return;
    }
    frames_in_connection_ = 0;
    connected_us_ = core::steadyMicros();
    last_keyframe_us_ = connected_us_;  // connect() runs on a keyframe
    std::lock_guard lock(mutex_);
    state_ = "connecting";
    since_ = isoNow();
  }

  // The connection failed or went away: drop the pipeline and try again later.
  void lose(const std::string& reason) {
    pipeline_.reset();
    backoff_us_ = backoff_us_ == 0 ? 1'000'000 : std::min(backoff_us_ * 2, retry_max_us_);
    next_attempt_us_ = core::steadyMicros() + backoff_us_;
    keyframe_asked_ = false;
    {
      std::lock_guard lock(mutex_);
      ++reconnects_;
      last_error_ = reason;
      state_ = "retrying";
      since_ = isoNow();
    }
    spdlog::warn("broadcast to {}: {} (retrying in {:.0f} s)", shown_url_, reason,
                 backoff_us_ / 1e6);
    events_(json{{"type", "broadcast_error"},
                 {"url", shown_url_},
                 {"branch", bus_.name()},
                 {"reason", reason},
                 {"retry_in_s", backoff_us_ / 1e6}});
  }

  bus::FrameBus& bus_;
  const BroadcastAudio audio_;
  const std::string url_;
  const std::string shown_url_;
  const std::int64_t retry_max_us_;
  const std::int64_t keyframe_interval_us_;
  const EventSink events_;
  std::unique_ptr<FeedThread> thread_;

  // Feed thread only.
  std::unique_ptr<PushPipeline> pipeline_;
  std::int64_t last_keyframe_us_ = 0;
  std::int64_t last_periodic_request_us_ = 0;
  std::uint64_t frames_in_connection_ = 0;
  std::int64_t connected_us_ = 0;
  std::int64_t next_attempt_us_ = 0;
  std::int64_t backoff_us_ = 0;
  bool keyframe_asked_ = false;
  bool waiting_for_keyframe_ = false;
  bool with_audio_ = false;         // the current connection has the AAC track
  std::int64_t last_audio_us_ = 0;  // steady clock; 0: no audio frame yet
  std::int64_t begun_us_ = 0;

  mutable std::mutex mutex_;
  std::string state_ = "connecting";
  std::string since_ = isoNow();
  std::uint64_t frames_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t reconnects_ = 0;
  std::string last_error_;
};

Broadcaster::Broadcaster(bus::FrameBus& bus, std::string url, double retry_max_s,
                         double keyframe_interval_s, EventSink events, BroadcastAudio audio)
    : url_(std::move(url)),
      feed_(std::make_unique<Feed>(bus, url_, retry_max_s, keyframe_interval_s,
                                   std::move(events), audio)) {}

Broadcaster::~Broadcaster() { stop(); }

void Broadcaster::stop() { feed_->stop(); }

json Broadcaster::state() const { return feed_->state(); }

void Broadcasts::Entry::stop() {
  if (push) push->stop();
  if (whip) whip->stop();
}

json Broadcasts::Entry::state() const {
  if (push) return push->state();
  json state = whip->state();
  state["kind"] = "whip";
  const auto query = url.find('?');
  state["url"] = query == std::string::npos ? url : url.substr(0, query) + "?***";
  state.erase("endpoint");
  return state;
}

std::string Broadcasts::start(bus::FrameBus& bus, const std::string& url, const std::string& token) {
  std::lock_guard lock(mutex_);
  for (const auto& entry : list_) {
    if (entry.url == url) return "already broadcasting to " + redactUrl(url);
  }
  if (list_.size() >= 8) return "at most 8 broadcasts at once";
  Entry entry;
  entry.url = url;
  if (url.starts_with("http://")) {
    entry.whip = std::make_unique<WhipPublisher>(bus, url, token, retry_max_s_, events_);
  } else {
    entry.push = std::make_unique<Broadcaster>(bus, url, retry_max_s_, keyframe_interval_s_,
                                               events_, audio_);
  }
  list_.push_back(std::move(entry));
  return {};
}

bool Broadcasts::stop(const std::string& url) {
  Entry found;
  {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(list_.begin(), list_.end(),
                                 [&](const Entry& e) { return e.url == url; });
    if (it == list_.end()) return false;
    found = std::move(*it);
    list_.erase(it);
  }
  found.stop();
  return true;
}

void Broadcasts::stopAll() {
  std::vector<Entry> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(list_);
  }
  for (auto& entry : all) entry.stop();
}

json Broadcasts::state() const {
  std::lock_guard lock(mutex_);
  json list = json::array();
  for (const auto& entry : list_) list.push_back(entry.state());
  return list;
}

}  // namespace framewire::record
