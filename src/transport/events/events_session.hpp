#pragma once
// /ws/events: a WebSocket that sends JSON text messages. First
//   {"type":"hello","state":{...the /api/state document...}}
// then every event published on the EventHub, in order (see docs/protocol.md). Messages from
// the client are read and ignored (only the WebSocket's own ping/close matter); one over
// 4 KiB closes the session.
//
// A slow client loses its oldest events (EventHub's bounded queue), never anyone else's.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "net/router.hpp"
#include "transport/events/event_hub.hpp"

namespace framewire::transport::events {

struct EventsOptions {
  // Returns the /api/state document (serialised JSON). Called on the connection's strand once
  // the client is subscribed, so no event between the state and the first event is lost.
  std::function<std::string()> state;
  std::size_t max_client_message_bytes = 4096;
  std::size_t queue_capacity = EventHub::kDefaultCapacity;
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds idle_timeout{30};
};

// Accepts the WebSocket upgrade on the handed-over connection and runs the session until the
// client leaves. Call on the connection's strand (a net::Takeover does).
void startEventsSession(std::shared_ptr<net::Handoff> handoff, EventHub& hub,
                        EventsOptions options);

}  // namespace framewire::transport::events
