#include "server/whep_routes.hpp"

#include <atomic>

#include "core/log.hpp"
#include "server/peer_branch_request.hpp"
#include "transport/webrtc/serial_executor.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::server {

namespace webrtc = transport::webrtc;

namespace {

constexpr std::string_view kCollection = "/whep";
constexpr std::string_view kPeers = "/api/peers/";
constexpr const char* kExposeHeaders = "Location, ETag, Link, Accept-Patch, Accept-Post";
constexpr const char* kAllowHeaders = "content-type, if-match, authorization";
constexpr const char* kTrickleType = "application/trickle-ice-sdpfrag";
// patch() and remove() wait at most 10 s for the control thread.
constexpr std::chrono::milliseconds kResourceTimeout{12000};

void addCors(net::HttpResponse& response) {
  response.set("Access-Control-Allow-Origin", "*");
  response.set("Access-Control-Expose-Headers", kExposeHeaders);
}

// The service's answer as it is, plus CORS. Repeated headers (one Link per ICE server) are
// joined into one field: the session sets each name once, and a comma-separated list means the
// same in HTTP (fetch() joins them that way too).
net::HttpResponse toHttp(webrtc::WhepResult result) {
  net::HttpResponse response;
  response.status = result.status;
  response.content_type = "text/plain";
  response.body = std::move(result.body);
  std::vector<std::pair<std::string, std::string>> joined;
  for (auto& [name, value] : result.headers) {
    if (name == "Content-Type") {
      response.content_type = value;
      continue;
    }
    auto it = std::find_if(joined.begin(), joined.end(),
                           [&](const auto& field) { return field.first == name; });
    if (it == joined.end()) {
      joined.emplace_back(name, std::move(value));
    } else {
      it->second += ", " + value;
    }
  }
  for (auto& [name, value] : joined) response.set(name, std::move(value));
  response.set("Cache-Control", "no-store");
  addCors(response);
  return response;
}

net::HttpResponse error(int status, std::string_view message) {
  auto response = net::errorResponse(status, message);
  response.set("Access-Control-Expose-Headers", kExposeHeaders);
  return response;
}

// OPTIONS: the CORS preflight answer, and what the resource accepts.
net::HttpResponse preflight(webrtc::WhepResult base, const char* methods) {
  auto response = toHttp(std::move(base));
  response.status = 204;
  response.body.clear();
  response.set("Allow", methods);
  response.set("Access-Control-Allow-Methods", methods);
  response.set("Access-Control-Allow-Headers", kAllowHeaders);
  response.set("Access-Control-Max-Age", "86400");
  return response;
}

}  // namespace

WhepRoutes::WhepRoutes(webrtc::WhepService& service, std::chrono::milliseconds answer_timeout)
    : service_(service),
      answer_timeout_(answer_timeout),
      worker_(std::make_unique<webrtc::SerialExecutor>("fw-whep-http")) {}

WhepRoutes::~WhepRoutes() { stop(); }

void WhepRoutes::stop() { worker_->stop(); }

void WhepRoutes::addTo(net::Router& router) {
  router.add({"POST", "OPTIONS"}, std::string(kCollection), [this](const net::HttpRequest& r) {
    if (r.method == "OPTIONS") {
      return net::Reply::now(preflight(service_.options(), "POST, OPTIONS"));
    }
    return post(r);
  });
  router.addPrefix({"PATCH", "DELETE", "OPTIONS"}, std::string(kCollection) + "/",
                   [this](const net::HttpRequest& r) { return onResource(r); });
  router.addPrefix({"POST"}, std::string(kPeers), [this](const net::HttpRequest& r) {
    return onPeerBranch(r);
  });
}

// POST /api/peers/<id>/branch {"branch": "lq", "auto": false}
net::Reply WhepRoutes::onPeerBranch(const net::HttpRequest& request) {
  constexpr std::string_view kSuffix = "/branch";
  std::string id = request.path.substr(kPeers.size());
  if (!id.ends_with(kSuffix) || id.size() == kSuffix.size() ||
      id.substr(0, id.size() - kSuffix.size()).find('/') != std::string::npos) {
    return net::Reply::now(error(404, "no such resource " + request.path +
                                          " (POST /api/peers/<id>/branch)"));
  }
  id.resize(id.size() - kSuffix.size());
  PeerBranchRequest parsed;
  try {
    parsed = parsePeerBranchRequest(request.body);
  } catch (const std::invalid_argument& e) {
    return net::Reply::now(error(400, e.what()));
  }
  return onWorker([this, id, parsed] {
    return service_.switchPeerBranch(id, parsed.branch, parsed.auto_branch);
  });
}

net::Reply WhepRoutes::post(const net::HttpRequest& request) {
  std::optional<bool> auto_branch;
  try {
    auto_branch = parseAutoQuery(request.param("auto"));
  } catch (const std::invalid_argument& e) {
    return net::Reply::now(error(400, e.what()));
  }
  net::Deferred deferred;
  deferred.timeout = answer_timeout_;
  deferred.on_timeout =
      error(503, "no WebRTC answer within " + std::to_string(answer_timeout_.count()) + " ms");
  deferred.cancel_on_hang_up = true;
  deferred.start = [this, content_type = std::string(request.header("content-type")),
                    body = request.body, branch = std::string(request.param("branch")),
                    auto_branch,
                    remote = request.remote](net::Respond respond, net::Post) -> net::Cancel {
    // Set on the strand when the client is gone or timed out: a peer answered after that is
    // removed at once instead of waiting for its connect timeout.
    auto abandoned = std::make_shared<std::atomic<bool>>(false);
    service_.postAsync(content_type, body, branch, remote,
                       [this, abandoned, respond = std::move(respond)](webrtc::WhepResult result) {
                         // On the service's control thread (or right here for cheap rejections):
                         // post only.
                         const auto location = result.header("Location");
                         if (result.status == 201 && abandoned->load() &&
                             location.starts_with(webrtc::kWhepResourcePrefix)) {
                           const auto id = location.substr(webrtc::kWhepResourcePrefix.size());
                           spdlog::info("webrtc {}: the client left before its answer; removing",
                                        id);
                           worker_->post([this, id] { service_.remove(id); });
                           return;
                         }
                         respond(toHttp(std::move(result)));
                       },
                       auto_branch);
    return [abandoned] { abandoned->store(true); };
  };
  return net::Reply::later(std::move(deferred));
}

template <typename Call>
net::Reply WhepRoutes::onWorker(Call call) {
  net::Deferred deferred;
  deferred.timeout = kResourceTimeout;
  deferred.on_timeout = error(503, "the WebRTC service did not answer in time");
  deferred.start = [this, call = std::move(call)](net::Respond respond, net::Post) -> net::Cancel {
    worker_->post([call, respond = std::move(respond)] { respond(toHttp(call())); });
    return {};
  };
  return net::Reply::later(std::move(deferred));
}

net::Reply WhepRoutes::onResource(const net::HttpRequest& request) {
  const std::string id = request.path.substr(kCollection.size() + 1);
  if (id.empty() || id.find('/') != std::string::npos) {
    return net::Reply::now(error(404, "no WHEP session at " + request.path));
  }
  if (request.method == "OPTIONS") {
    auto response = preflight(service_.options(), "PATCH, DELETE, OPTIONS");
    response.set("Accept-Patch", kTrickleType);
    return net::Reply::now(std::move(response));
  }
  if (request.method == "DELETE") {
    return onWorker([this, id] { return service_.remove(id); });
  }
  return onWorker([this, id, content_type = std::string(request.header("content-type")),
                   body = request.body, if_match = std::string(request.header("if-match"))] {
    return service_.patch(id, content_type, body, if_match);
  });
}

}  // namespace framewire::server
