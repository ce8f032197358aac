#pragma once
// What a transport receives when it takes a connection over: the TCP stream (bound to the
// connection's own strand), the Beast request (a WebSocket accept needs it) and the parsed
// request. Heavy (Beast): include it only from the transport .cpp files that use it.

#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_types.hpp"
#include "net/wake_gate.hpp"

namespace framewire::net {

class Handoff {
 public:
  Handoff(boost::beast::tcp_stream stream,
          boost::beast::http::request<boost::beast::http::string_body> request, HttpRequest parsed,
          WakeGatePtr gate)
      : stream(std::move(stream)),
        request(std::move(request)),
        parsed(std::move(parsed)),
        gate(std::move(gate)) {}

  boost::beast::tcp_stream stream;
  boost::beast::http::request<boost::beast::http::string_body> request;
  HttpRequest parsed;
  WakeGatePtr gate;  // wrap foreign-thread posts into the strand with this
};

}  // namespace framewire::net
