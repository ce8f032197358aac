#pragma once
// Connects the event sources to the /ws/events hub (docs/protocol.md, "/ws/events"):
// Direct and MJPEG clients (client_joined / client_left), WebRTC peers (webrtc_peer_joined /
// webrtc_peer_left, and client_joined / client_left with mode "webrtc"), and the media
// engine's signal events (signal_lost / signal_restored).
//
// Each hook runs on its source's thread and only publishes (EventHub never blocks).

#include <memory>

#include "transport/client_registry.hpp"
#include "transport/events/event_hub.hpp"

namespace framewire::media {
class MediaEngine;
}
namespace framewire::transport::webrtc {
class WhepService;
}

namespace framewire::server {

// Each listener holds the hub: it may outlive the Server if a source calls it late.
void publishClientEvents(transport::ClientRegistry& clients,
                         const std::shared_ptr<transport::events::EventHub>& hub);
void publishWebRtcEvents(transport::webrtc::WhepService& whep,
                         const std::shared_ptr<transport::events::EventHub>& hub);
void publishMediaEvents(media::MediaEngine& media,
                        const std::shared_ptr<transport::events::EventHub>& hub);

}  // namespace framewire::server
