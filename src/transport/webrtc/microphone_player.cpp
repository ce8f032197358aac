#include "transport/webrtc/microphone_player.hpp"

#include <gst/app/gstappsrc.h>

#include <algorithm>
#include <future>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "transport/webrtc/serial_executor.hpp"

namespace framewire::transport::webrtc {
namespace {

constexpr std::int64_t kRetryUs = 5'000'000;

// The decoder for a depayloader's output caps; nullptr for anything else.
const char* decoderFor(const std::string& caps_text) {
  if (caps_text.starts_with("audio/x-opus")) return "opusdec plc=true";
  if (caps_text.starts_with("audio/x-mulaw")) return "mulawdec";
  if (caps_text.starts_with("audio/x-alaw")) return "alawdec";
  if (caps_text.starts_with("audio/G722")) return "avdec_g722";
  return nullptr;
}

struct BusCtx {
  MicrophonePlayer* player;
  SerialExecutor* thread;
  std::uint64_t generation;
};

std::string errorText(GstMessage* message) {
  GError* error = nullptr;
  gst_message_parse_error(message, &error, nullptr);
  std::string text = error ? error->message : "unknown error";
  if (error) g_error_free(error);
  if (GST_MESSAGE_SRC(message)) {
    CharRef name(gst_object_get_name(GST_MESSAGE_SRC(message)));
    if (name) text = std::string(name.get()) + ": " + text;
  }
  return text;
}

}  // namespace

MicrophonePlayer::MicrophonePlayer(MicrophoneSettings settings)
    : settings_(std::move(settings)), thread_(std::make_unique<SerialExecutor>("fw-microphone")) {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  spdlog::info("microphone: WebRTC viewers may speak into PulseAudio sink {} (one at a time)",
               settings_.sink.empty() ? "(the default)" : "'" + settings_.sink + "'");
}

MicrophonePlayer::~MicrophonePlayer() { stop(); }

void MicrophonePlayer::push(const std::string& peer, GstBuffer* buffer, GstCaps* caps) {
  const auto now = core::steadyMicros();
  const auto take = slot_.take(peer, now);
  GstElement* src = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      gst_buffer_unref(buffer);
      return;
    }
    if (take == MicrophoneSlot::Take::kBusy) {
      ++ignored_;
      if (ignored_peers_.insert(peer).second) {
        spdlog::info("microphone: ignoring webrtc {}'s microphone: webrtc {} is speaking", peer,
                     slot_.holder());
      }
      gst_buffer_unref(buffer);
      return;
    }
    if (take == MicrophoneSlot::Take::kClaimed) {
      spdlog::info("microphone: webrtc {} speaks into PulseAudio sink {}", peer,
                   settings_.sink.empty() ? "(the default)" : "'" + settings_.sink + "'");
    }
    CharRef text(caps ? gst_caps_to_string(caps) : nullptr);
    const std::string caps_text = text ? text.get() : "";
    if (playing_ && src_ && caps_text == caps_text_) {
      src = GST_ELEMENT(gst_object_ref(src_));
    } else if (!starting_ && now >= retry_at_us_ && !caps_text.empty()) {
      starting_ = true;
      const auto generation = ++generation_;
      thread_->post([this, caps_text, generation] { start(caps_text, generation); });
    }
  }
  if (!src) {
    gst_buffer_unref(buffer);  // not playing yet (or failed): this frame is lost
    return;
  }
  if (gst_app_src_push_buffer(GST_APP_SRC(src), buffer) == GST_FLOW_OK) {
    std::lock_guard lock(mutex_);
    ++frames_;
    // Half a second or more of sound taken without an error: the sink works (again).
    if (++frames_since_start_ == 50) {
      error_.clear();
      failing_ = false;
    }
  }
  gst_object_unref(src);
}

void MicrophonePlayer::release(const std::string& peer) {
  if (!slot_.release(peer)) return;
  spdlog::info("microphone: webrtc {} stopped speaking", peer);
  std::lock_guard lock(mutex_);
  ++generation_;
  thread_->post([this] { shutDown(); });
}

void MicrophonePlayer::start(std::string caps_text, std::uint64_t generation) {
  shutDown();
  const char* decoder = decoderFor(caps_text);
  std::string failure;
  GstElement* pipeline = nullptr;
  if (!decoder) {
    failure = "no decoder for " + caps_text;
  } else {
    // sync=false: each frame plays as soon as it is decoded; PulseAudio's own buffer (at most
    // 100 ms here) absorbs the network's jitter.
    const std::string launch =
        std::string("appsrc name=src is-live=true format=time do-timestamp=true block=false "
                    "max-buffers=50 ! ") +
        decoder +
        " ! audioconvert ! audioresample ! pulsesink name=sink sync=false buffer-time=100000 "
        "latency-time=10000 client-name=framewire-microphone";
    GError* error = nullptr;
    pipeline = gst_parse_launch(launch.c_str(), &error);
    if (error) {
      failure = error->message;
      g_error_free(error);
      if (pipeline) gst_object_unref(pipeline);
      pipeline = nullptr;
    }
  }
  if (!pipeline) {
    onError(generation, failure.empty() ? "cannot build the pipeline" : failure);
    return;
  }
  gst_object_ref_sink(pipeline);
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  CapsRef caps(gst_caps_from_string(caps_text.c_str()));
  g_object_set(src, "caps", caps.get(), nullptr);
  gst_util_set_object_arg(G_OBJECT(src), "leaky-type", "downstream");
  if (!settings_.sink.empty()) g_object_set(sink, "device", settings_.sink.c_str(), nullptr);
  gst_object_unref(sink);
  gst_object_unref(src);  // the pipeline keeps it

  BusRef bus(gst_element_get_bus(pipeline));
  gst_bus_set_sync_handler(
      bus.get(),
      +[](GstBus*, GstMessage* message, gpointer data) -> GstBusSyncReply {
        if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
          auto* ctx = static_cast<BusCtx*>(data);
          ctx->thread->post([player = ctx->player, generation = ctx->generation,
                             text = errorText(message)] { player->onError(generation, text); });
        }
        gst_message_unref(message);
        return GST_BUS_DROP;
      },
      new BusCtx{this, thread_.get(), generation}, [](gpointer p) { delete static_cast<BusCtx*>(p); });

  {
    std::lock_guard lock(mutex_);
    if (generation != generation_ || stopped_) {
      // Released (or stopped) while this start waited: nobody to play for.
      starting_ = false;
      gst_object_unref(pipeline);
      return;
    }
    pipeline_.reset(pipeline);
    src_ = src;
  }
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The error message (posted above) says why; onError runs next on this thread.
    std::lock_guard lock(mutex_);
    starting_ = false;
    return;
  }
  std::lock_guard lock(mutex_);
  caps_text_ = caps_text;
  frames_since_start_ = 0;
  playing_ = true;
  starting_ = false;
}

void MicrophonePlayer::shutDown() {
  ElementRef pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = std::move(pipeline_);
    src_ = nullptr;
    playing_ = false;
    caps_text_.clear();
  }
  if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
}

void MicrophonePlayer::onError(std::uint64_t generation, const std::string& text) {
  {
    std::lock_guard lock(mutex_);
    // The sink's own reason beats appsrc's "Internal data stream error", which only says
    // that something downstream failed (the two arrive in either order).
    if (error_.empty() || error_.starts_with("src:") || !failing_) error_ = text;
    if (generation != generation_) return;  // a pipeline already replaced
    starting_ = false;
    retry_at_us_ = core::steadyMicros() + kRetryUs;
    if (!failing_) {
      failing_ = true;
      // One line per failure streak (not one per retry), written once every error of this
      // attempt is in.
      thread_->postAfter(std::chrono::milliseconds(200), [this] {
        std::lock_guard lock(mutex_);
        spdlog::warn(
            "microphone: cannot play into PulseAudio sink {}: {}; the viewer's microphone is "
            "dropped (video is not affected), retrying every {} s while it sends",
            settings_.sink.empty() ? "(the default)" : "'" + settings_.sink + "'", error_,
            kRetryUs / 1'000'000);
      });
    }
  }
  shutDown();
}

nlohmann::json MicrophonePlayer::state() const {
  std::lock_guard lock(mutex_);
  return nlohmann::json{{"enabled", true},         {"sink", settings_.sink},
                        {"holder", slot_.holder()}, {"playing", playing_},
                        {"frames", frames_},       {"ignored", ignored_},
                        {"error", error_}};
}

void MicrophonePlayer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    ++generation_;
  }
  std::promise<void> done;
  thread_->post([&] {
    shutDown();
    done.set_value();
  });
  done.get_future().wait();
  thread_->stop();
}

}  // namespace framewire::transport::webrtc
