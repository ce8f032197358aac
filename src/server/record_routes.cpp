#include "server/record_routes.hpp"

#include <filesystem>

#include "bus/frame_bus.hpp"
#include "config/record_settings.hpp"
#include "core/log.hpp"
#include "media/audio/audio_engine.hpp"
#include "record/broadcaster.hpp"
#include "record/recorder.hpp"
#include "record/recording_files.hpp"
#include "server/record_download.hpp"
#include "server/state_json.hpp"
#include "transport/events/event_hub.hpp"
#include "transport/webrtc/serial_executor.hpp"

namespace framewire::server {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kPost{"POST"};
const std::vector<std::string> kGetHead{"GET", "HEAD"};
const std::vector<std::string> kFileMethods{"GET", "HEAD", "DELETE"};
const std::vector<std::string> kBroadcastMethods{"GET", "HEAD", "POST"};
constexpr std::string_view kRecordingsPrefix = "/recordings/";

net::Reply now(int status, const json& body) {
  return net::Reply::now(net::jsonResponse(status, body.dump()));
}
net::Reply error(int status, std::string_view message) {
  return net::Reply::now(net::errorResponse(status, message));
}

// The request's JSON body, or an empty object for no body; nullopt for invalid JSON.
std::optional<json> jsonBody(const net::HttpRequest& request) {
  if (request.body.empty()) return json::object();
  auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

std::string stringField(const json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

record::RecorderOptions recorderOptions(const config::RecordSettings& settings) {
  record::RecorderOptions options;
  options.dir = settings.dir;
  options.segment_seconds = settings.segment_seconds;
  options.segment_bytes = settings.segment_mb << 20;
  options.max_total_bytes = settings.max_total_mb << 20;
  options.max_files = static_cast<std::size_t>(settings.retention);
  options.fragment_ms = settings.fragment_ms;
  return options;
}

}  // namespace

RecordRoutes::RecordRoutes(const config::Config& config, bus::FrameBus& h264,
                           std::shared_ptr<transport::events::EventHub> events,
                           media::AudioEngine* audio)
    : config_(config), h264_(h264), events_(std::move(events)) {
  auto hub = events_;
  const record::EventSink sink = [hub](const json& event) {
    if (hub) hub->publish(event);
  };
  auto options = recorderOptions(config_.record);
  if (audio && audio->bus() && audio->format().codec == "opus") {
    options.audio = audio->bus();
    options.audio_channels = audio->format().channels;
  }
  recorder_ = std::make_unique<record::Recorder>(h264_, std::move(options), sink);
  broadcasts_ = std::make_unique<record::Broadcasts>(
      config_.record.broadcast_retry_max_s, config_.record.broadcast_keyframe_interval_s, sink);
  // RTMP and SRT carry the sound as AAC (re-encoded from the Opus bus).
  if (audio && audio->bus() && audio->format().codec == "opus") {
    broadcasts_->setAudio({audio->bus(), audio->format().channels});
  }
  control_ = std::make_unique<transport::webrtc::SerialExecutor>("record-control");
}

RecordRoutes::~RecordRoutes() { stop(); }

void RecordRoutes::start() {
  if (config_.record.autostart) {
    const auto why = recorder_->start();
    if (!why.empty()) spdlog::error("record-autostart: {}", why);
  }
  for (const auto& url : config_.record.broadcast) {
    const auto why = broadcasts_->start(h264_, url, config_.record.whip_token);
    if (!why.empty()) spdlog::error("broadcast: {}", why);
  }
}

void RecordRoutes::stop() {
  if (control_) control_->stop();  // finishes the start or stop under way, drops the rest
  if (recorder_) recorder_->stop();
  if (broadcasts_) broadcasts_->stopAll();
}

bus::FrameBus* RecordRoutes::busFor(std::string_view branch) const {
  if (branch.empty() || branch == h264_.name()) return &h264_;
  return nullptr;
}

net::Reply RecordRoutes::onControlThread(std::function<net::HttpResponse()> job) {
  net::Deferred deferred;
  deferred.timeout = std::chrono::milliseconds(20000);
  deferred.on_timeout = net::errorResponse(503, "starting or stopping did not finish in 20 s");
  deferred.start = [this, job = std::move(job)](net::Respond respond, net::Post) {
    control_->post([job, respond] {
      try {
        respond(job());
      } catch (const std::exception& e) {
        respond(net::errorResponse(500, e.what()));
      }
    });
    return net::Cancel([] {});  // what was started runs to its end; its answer is dropped
  };
  return net::Reply::later(std::move(deferred));
}

json RecordRoutes::state() const {
  return json{{"recording", recorder_->state()}, {"broadcasts", broadcasts_->state()}};
}

void RecordRoutes::addTo(net::Router& router) {
  router.add(kPost, "/api/record/start", [this](const net::HttpRequest& request) {
    const auto body = jsonBody(request);
    if (!body) return error(400, "the body must be a JSON object, e.g. {\"branch\":\"main\"}");
    std::string branch = stringField(*body, "branch");
    if (branch.empty()) branch = std::string(request.param("branch"));
    if (!busFor(branch)) {
      return error(404, "no H.264 branch \"" + branch + "\" (valid: " + h264_.name() + ")");
    }
    return onControlThread([this] {
      const auto why = recorder_->start();
      if (why == "already recording") return net::errorResponse(409, why);
      if (!why.empty()) return net::errorResponse(500, why);
      return net::jsonResponse(200, recorder_->state().dump());
    });
  });
  router.add(kPost, "/api/record/stop", [this](const net::HttpRequest&) {
    return onControlThread([this] {
      if (!recorder_->stop()) return net::errorResponse(409, "not recording");
      return net::jsonResponse(200, recorder_->state().dump());
    });
  });
  router.add(kGetHead, "/api/recordings", [this](const net::HttpRequest&) {
    const auto current = recorder_->state();
    const std::string active_file =
        current.value("active", false) ? current.value("file", std::string()) : std::string();
    json list = json::array();
    for (const auto& file : record::listRecordings(config_.record.dir)) {
      list.push_back(json{{"name", file.name},
                          {"size", file.size},
                          {"modified", isoTime(file.modified_us)},
                          {"recording", file.name == active_file},
                          {"url", std::string(kRecordingsPrefix) + file.name}});
    }
    return now(200, json{{"dir", config_.record.dir}, {"recordings", list}});
  });
  router.addPrefix(kFileMethods, std::string(kRecordingsPrefix),
                   [this](const net::HttpRequest& request) {
    const std::string name = request.path.substr(kRecordingsPrefix.size());
    if (!record::isSafeRecordingName(name)) {
      return error(400, "invalid recording name (one file name ending in .mp4, letters, digits, "
                        "'.', '-' and '_' only)");
    }
    const fs::path path = fs::path(config_.record.dir) / name;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) {
      return error(404, "no such recording: " + name);
    }
    if (request.method == "DELETE") {
      const auto current = recorder_->state();
      if (current.value("active", false) && current.value("file", std::string()) == name) {
        return error(409, "this recording is being written; stop it first");
      }
      if (!fs::remove(path, ec) || ec) return error(500, "cannot delete " + name);
      if (events_) events_->publish(json{{"type", "recording_deleted"}, {"file", name}});
      return now(200, json{{"deleted", name}});
    }
    return net::Reply::handOver([path](std::shared_ptr<net::Handoff> handoff) {
      startRecordDownload(std::move(handoff), path);
    });
  });
  // One route for every method: the router answers 405 for methods a path's route lacks.
  router.add(kBroadcastMethods, "/api/broadcast", [this](const net::HttpRequest& request) {
    if (request.method != "POST") return now(200, json{{"broadcasts", broadcasts_->state()}});
    const auto body = jsonBody(request);
    if (!body) {
      return error(400, "the body must be a JSON object: {\"url\": \"rtmp://…\", \"action\": "
                        "\"start\"|\"stop\"}");
    }
    const std::string url = stringField(*body, "url");
    std::string action = stringField(*body, "action");
    if (action.empty()) action = "start";
    if (action != "start" && action != "stop") {
      return error(400, "unknown action \"" + action + "\" (valid: start, stop)");
    }
    if (!config::isBroadcastUrl(url)) {
      return error(400, "url must be rtmp://HOST[:PORT]/APP/KEY, rtmps://…, "
                        "srt://HOST:PORT[?options] or http://HOST[:PORT]/PATH (WHIP)");
    }
    if (action == "stop") {
      return onControlThread([this, url] {
        if (!broadcasts_->stop(url)) {
          return net::errorResponse(404, "not broadcasting to " + record::redactUrl(url));
        }
        return net::jsonResponse(200, json{{"broadcasts", broadcasts_->state()}}.dump());
      });
    }
    auto* bus = busFor(stringField(*body, "branch"));
    if (!bus) return error(404, "no such H.264 branch (valid: " + h264_.name() + ")");
    std::string token = stringField(*body, "token");
    if (token.empty()) token = config_.record.whip_token;
    return onControlThread([this, bus, url, token] {
      const auto why = broadcasts_->start(*bus, url, token);
      if (!why.empty()) return net::errorResponse(409, why);
      return net::jsonResponse(200, json{{"broadcasts", broadcasts_->state()}}.dump());
    });
  });
}

}  // namespace framewire::server
