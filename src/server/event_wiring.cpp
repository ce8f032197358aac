#include "server/event_wiring.hpp"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "media/media_engine.hpp"
#include "server/state_json.hpp"
#include "transport/webrtc/whep_service.hpp"

namespace framewire::server {

using nlohmann::json;

void publishClientEvents(transport::ClientRegistry& clients,
                         const std::shared_ptr<transport::events::EventHub>& hub) {
  clients.setListener([hub](const transport::ClientInfo& client, bool joined) {
    json event{{"type", joined ? "client_joined" : "client_left"},
               {"mode", client.mode},
               {"id", client.id},
               {"remote", client.remote},
               {"since", isoTime(client.since_us)}};
    if (!joined) {
      event["frames_sent"] = client.frames_sent;
      event["frames_dropped"] = client.frames_dropped;
      event["bytes"] = client.bytes;
    }
    hub->publish(event);
  });
}

void publishWebRtcEvents(transport::webrtc::WhepService& whep,
                         const std::shared_ptr<transport::events::EventHub>& hub) {
  // The service's listener runs on its control thread only: the map needs no lock. It keeps
  // what webrtc_peer_left does not carry, so client_left looks like the other modes'.
  struct Peer {
    std::string remote;
    std::string branch;
  };
  auto peers = std::make_shared<std::map<std::string, Peer>>();
  whep.setEventListener([hub, peers](const json& event) {
    hub->publish(event);
    const std::string type = event.value("type", "");
    const std::string id = event.value("id", "");
    if (type == "webrtc_peer_joined") {
      Peer peer{event.value("remote", ""), event.value("branch", "")};
      (*peers)[id] = peer;
      hub->publish(json{{"type", "client_joined"},
                        {"mode", "webrtc"},
                        {"id", id},
                        {"remote", peer.remote},
                        {"branch", peer.branch}});
    } else if (type == "webrtc_peer_left") {
      const auto it = peers->find(id);
      if (it == peers->end()) return;  // never answered: it never "joined"
      hub->publish(json{{"type", "client_left"},
                        {"mode", "webrtc"},
                        {"id", id},
                        {"remote", it->second.remote},
                        {"branch", it->second.branch},
                        {"reason", event.value("reason", "")}});
      peers->erase(it);
    }
  });
}

void publishMediaEvents(media::MediaEngine& media,
                        const std::shared_ptr<transport::events::EventHub>& hub) {
  media.setEventListener([hub](const std::string& type, const std::string& reason) {
    hub->publish(json{{"type", type}, {"reason", reason}});
  });
}

}  // namespace framewire::server
