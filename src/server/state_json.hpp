#pragma once
// The /api/state document (docs/protocol.md): source, branches with rates and per-stage
// latency, streaming clients, uptime, version.

#include <nlohmann/json.hpp>
#include <string>

#include "transport/client_registry.hpp"

namespace framewire::media {
class MediaEngine;
}

namespace framewire::server {

// `webrtc`: WhepService::stats() ({"peers": [...], "max_peers": N}); null when WebRTC is off.
// Its peers are also listed in "clients" with mode "webrtc".
nlohmann::json stateDocument(media::MediaEngine& media, const transport::ClientRegistry& clients,
                             double uptime_s, const nlohmann::json& webrtc = nullptr);
std::string stateJson(media::MediaEngine& media, const transport::ClientRegistry& clients,
                      double uptime_s, const nlohmann::json& webrtc = nullptr);

// "2024-05-01T12:00:00.123Z" for a wall-clock time in µs since the Unix epoch.
std::string isoTime(std::int64_t wall_us);

}  // namespace framewire::server
