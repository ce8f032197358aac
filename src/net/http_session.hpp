#pragma once
// One HTTP/1.1 connection (internal to net/): reads requests with size limits and an idle
// timeout, routes them, writes the answers, keeps the connection alive, and hands the socket
// over when a handler takes the connection (streams, WebSocket upgrades).
//
// Threads: everything runs on the connection's strand (the socket's executor).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "net/http_server.hpp"
#include "net/router.hpp"
#include "net/strand_poster.hpp"

namespace framewire::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `remote`: who is behind the connection when it came through a relay (TLS, Unix socket);
  // empty: the socket's peer.
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<const Router> router,
              const HttpLimits& limits, WakeGatePtr gate, std::string remote = {});
  ~HttpSession();

  void start();

 private:
  using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

  void readRequest();
  void onRead(boost::beast::error_code ec);
  void dispatch(BeastRequest request);
  void startDeferred(Deferred deferred);
  void finishDeferred(std::uint64_t id, HttpResponse response);
  void onDeferredTimeout(std::uint64_t id, boost::beast::error_code ec);
  void watchForHangUp(std::uint64_t id);
  void onReadableWhileDeferred(std::uint64_t id, boost::beast::error_code ec);
  void cancelDeferred();
  void send(HttpResponse response);
  void onWrite(bool keep_alive, boost::beast::error_code ec);
  void fail(int status, std::string_view message);  // answers, then closes
  void shutdown();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<const Router> router_;
  const HttpLimits limits_;
  WakeGatePtr gate_;
  StrandPosterPtr poster_;  // for deferred answers from foreign threads
  std::string remote_;

  // The request being answered.
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  std::shared_ptr<void> response_;  // the Beast response in flight

  // A deferred answer in progress.
  boost::asio::steady_timer deferred_timer_;
  Cancel deferred_cancel_;
  HttpResponse deferred_timeout_response_;
  std::uint64_t deferred_id_ = 0;
  bool deferred_active_ = false;
};

}  // namespace framewire::net
