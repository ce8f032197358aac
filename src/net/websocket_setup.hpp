#pragma once
// The settings every server-side WebSocket of framewire starts with: handshake and idle
// timeouts (with keep-alive pings, so a quiet but healthy client is not dropped), the
// "Server: framewire" header on the handshake answer, and a cap on client messages.
// Include only from .cpp files that already use Beast's WebSocket stream.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>

namespace framewire::net {

inline void configureServerWebSocket(boost::beast::websocket::stream<boost::beast::tcp_stream>& ws,
                                     std::chrono::steady_clock::duration handshake_timeout,
                                     std::chrono::steady_clock::duration idle_timeout,
                                     std::size_t max_client_message_bytes) {
  namespace websocket = boost::beast::websocket;
  ws.set_option(websocket::stream_base::timeout{handshake_timeout, idle_timeout,
                                                /*keep_alive_pings=*/true});
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(boost::beast::http::field::server, "framewire");
  }));
  ws.read_message_max(max_client_message_bytes);
}

}  // namespace framewire::net
