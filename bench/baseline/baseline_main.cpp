// framewire_bench_baseline: the "dedicated single-viewer webrtcbin pipeline" the bench compares
// framewire with. POST /whep (application/sdp) → 201 + answer; a new POST replaces the viewer;
// DELETE /whep/1 ends it; GET /stats → x264's encode time per frame. Loopback only.
//   framewire_bench_baseline --listen 127.0.0.1:0 --size 1280x720 --fps 60 --bitrate 4000 --gop 0

#include <gst/gst.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "baseline_peer.hpp"
#include "tiny_http.hpp"

using framewire::bench::BaselinePeer;
using framewire::bench::BaselineSettings;
using framewire::bench::HttpRequest;
using framewire::bench::HttpResponse;
using framewire::bench::TinyHttp;

namespace {

TinyHttp* g_http = nullptr;

void onSignal(int) {
  if (g_http) g_http->stop();
}

std::string percentileJson(std::vector<std::int64_t> v) {
  if (v.empty()) return "null";
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))]; };
  return "{\"p50\":" + std::to_string(at(0.5)) + ",\"p95\":" + std::to_string(at(0.95)) +
         ",\"max\":" + std::to_string(v.back()) + ",\"count\":" + std::to_string(v.size()) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  BaselineSettings settings;
  std::string host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--listen") {
      host = value.substr(0, value.rfind(':'));
      port = std::stoi(value.substr(value.rfind(':') + 1));
    } else if (key == "--size") {
      settings.width = std::stoi(value.substr(0, value.find('x')));
      settings.height = std::stoi(value.substr(value.find('x') + 1));
    } else if (key == "--fps") {
      settings.fps = std::stoi(value);
    } else if (key == "--bitrate") {
      settings.bitrate_kbps = std::stoi(value);
    } else if (key == "--gop") {
      settings.gop = std::stoi(value);
    } else if (key == "--preset") {
      settings.preset = value;
    } else {
      std::fprintf(stderr,
                   "unknown option %s (valid: --listen --size --fps --bitrate --gop --preset)\n",
                   key.c_str());
      return 2;
    }
  }

  std::unique_ptr<TinyHttp> http;
  try {
    http = std::make_unique<TinyHttp>(host, port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  g_http = http.get();
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  std::printf("listening on http://%s:%d/\n", host.c_str(), http->port());
  std::fflush(stdout);

  std::unique_ptr<BaselinePeer> peer;
  // The last viewer's numbers outlive it: the bench may ask just after the viewer left.
  std::vector<std::int64_t> last_times;
  std::pair<std::uint64_t, std::uint64_t> last_counts;
  auto endPeer = [&] {
    if (!peer) return;
    last_times = peer->encodeTimes();
    last_counts = peer->frameCounts();
    peer.reset();
  };
  http->serve([&](const HttpRequest& req) -> HttpResponse {
    if (req.method == "OPTIONS")
      return {204, "text/plain", "", {{"Accept-Post", "application/sdp"}}};
    if (req.method == "POST" && req.path.rfind("/whep", 0) == 0) {
      endPeer();  // one viewer at a time: that is what makes it a dedicated pipeline
      peer = std::make_unique<BaselinePeer>(settings);
      std::string error;
      std::string answer = peer->answer(req.body, &error);
      if (answer.empty()) {
        peer.reset();
        return {400, "application/json", "{\"error\":\"" + error + "\"}", {}};
      }
      return {201, "application/sdp", answer, {{"Location", "/whep/1"}}};
    }
    if (req.method == "DELETE" && req.path.rfind("/whep/", 0) == 0) {
      endPeer();
      return {200, "application/json", "{}", {}};
    }
    if (req.method == "GET" && req.path == "/stats") {
      const std::string encode = percentileJson(peer ? peer->encodeTimes() : last_times);
      const auto [in, out] = peer ? peer->frameCounts() : last_counts;
      return {200,
              "application/json",
              "{\"encode_us\":" + encode + ",\"frames_in\":" + std::to_string(in) +
                  ",\"frames_out\":" + std::to_string(out) + "}",
              {}};
    }
    return {404, "application/json", "{\"error\":\"no such path\"}", {}};
  });
  peer.reset();
  g_http = nullptr;
  return 0;
}
