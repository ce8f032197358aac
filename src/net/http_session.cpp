#include "net/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>

#include "core/log.hpp"
#include "net/handoff.hpp"
#include "net/query.hpp"

namespace framewire::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string endpointText(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<const Router> router,
                         const HttpLimits& limits, WakeGatePtr gate, std::string remote)
    : stream_(std::move(socket)),
      router_(std::move(router)),
      limits_(limits),
      gate_(std::move(gate)),
      poster_(std::make_shared<StrandPoster>(stream_.get_executor(), gate_)),
      remote_(remote.empty() ? endpointText(stream_.socket()) : std::move(remote)),
      deferred_timer_(stream_.get_executor()) {}

HttpSession::~HttpSession() {
  poster_->detach();
  if (deferred_active_ && deferred_cancel_) {
    try {
      deferred_cancel_();
    } catch (...) {
    }
  }
}

void HttpSession::start() {
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&HttpSession::readRequest, shared_from_this()));
}

void HttpSession::readRequest() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
  parser_->body_limit(limits_.body_limit);
  stream_.expires_after(limits_.idle_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

void HttpSession::onRead(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted) {
    return shutdown();
  }
  if (ec == http::error::header_limit) {
    return fail(
        431, "request header too large (limit " + std::to_string(limits_.header_limit) + " bytes)");
  }
  if (ec == http::error::body_limit) {
    return fail(413,
                "request body too large (limit " + std::to_string(limits_.body_limit) + " bytes)");
  }
  if (ec) {
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return fail(400, "malformed request: " + ec.message());
    }
    return shutdown();  // the peer went away
  }
  dispatch(parser_->release());
}

void HttpSession::dispatch(BeastRequest request) {
  version_ = request.version();
  keep_alive_ = request.keep_alive();
  head_ = request.method() == http::verb::head;

  auto target = parseTarget(request.target());
  if (!target) return fail(400, "malformed request target");

  HttpRequest parsed;
  parsed.method = std::string(request.method_string());
  parsed.target = std::string(request.target());
  parsed.path = std::move(target->path);
  parsed.query = std::move(target->query);
  for (const auto& field : request) {
    parsed.headers[lower(field.name_string())] = std::string(field.value());
  }
  parsed.body = request.body();
  parsed.remote = remote_;
  parsed.keep_alive = keep_alive_;
  parsed.websocket_upgrade = beast::websocket::is_upgrade(request);

  if (const auto& guard = router_->guard()) {
    std::optional<Reply> refused;
    try {
      refused = guard(parsed);
    } catch (const std::exception& e) {
      spdlog::error("guard for {} {} failed: {}", parsed.method, parsed.path, e.what());
      return send(errorResponse(500, std::string("internal error: ") + e.what()));
    }
    if (refused) {
      if (refused->deferred.start) return startDeferred(std::move(refused->deferred));
      return send(std::move(refused->response));
    }
  }

  const auto match = router_->match(parsed.method, parsed.path);
  if (match.status == 404) {
    return send(errorResponse(404, "no such path: " + parsed.path));
  }
  if (match.status == 405) {
    auto response = errorResponse(405, "method " + parsed.method + " not allowed on " +
                                           parsed.path + " (allowed: " + match.allow + ")");
    response.set("Allow", match.allow);
    return send(std::move(response));
  }

  Reply reply;
  try {
    reply = (*match.handler)(parsed);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} failed: {}", parsed.method, parsed.path, e.what());
    return send(errorResponse(500, std::string("internal error: ") + e.what()));
  }

  if (reply.takeover) {
    // The transport owns the socket from here; it sets its own timeouts.
    stream_.expires_never();
    auto handoff =
        std::make_shared<Handoff>(std::move(stream_), std::move(request), std::move(parsed), gate_);
    try {
      reply.takeover(std::move(handoff));
    } catch (const std::exception& e) {
      spdlog::error("taking over {} failed: {}", remote_, e.what());
    }
    return;
  }
  if (reply.deferred.start) return startDeferred(std::move(reply.deferred));
  send(std::move(reply.response));
}

void HttpSession::startDeferred(Deferred deferred) {
  const std::uint64_t id = ++deferred_id_;
  deferred_active_ = true;
  deferred_timeout_response_ = std::move(deferred.on_timeout);

  std::weak_ptr<HttpSession> weak = weak_from_this();
  const StrandPosterPtr poster = poster_;
  Respond respond = [weak, poster, id](HttpResponse response) {
    poster->post([weak, id, response = std::move(response)]() mutable {
      if (auto self = weak.lock()) self->finishDeferred(id, std::move(response));
    });
  };
  Post post = [poster](std::function<void()> work) {
    poster->post([work = std::move(work)] {
      try {
        work();
      } catch (const std::exception& e) {
        spdlog::error("deferred work failed: {}", e.what());
      }
    });
  };

  deferred_timer_.expires_after(deferred.timeout);
  deferred_timer_.async_wait(
      [self = shared_from_this(), id](beast::error_code ec) { self->onDeferredTimeout(id, ec); });
  if (deferred.cancel_on_hang_up) watchForHangUp(id);
  try {
    deferred_cancel_ = deferred.start(std::move(respond), std::move(post));
  } catch (const std::exception& e) {
    deferred_active_ = false;
    deferred_timer_.cancel();
    spdlog::error("deferred handler failed: {}", e.what());
    send(errorResponse(500, std::string("internal error: ") + e.what()));
  }
}

void HttpSession::finishDeferred(std::uint64_t id, HttpResponse response) {
  if (!deferred_active_ || id != deferred_id_) return;
  deferred_active_ = false;
  deferred_cancel_ = nullptr;
  deferred_timer_.cancel();
  send(std::move(response));
}

void HttpSession::onDeferredTimeout(std::uint64_t id, beast::error_code ec) {
  if (ec || !deferred_active_ || id != deferred_id_) return;
  cancelDeferred();
  send(std::move(deferred_timeout_response_));
}

void HttpSession::cancelDeferred() {
  deferred_active_ = false;
  if (deferred_cancel_) {
    try {
      deferred_cancel_();
    } catch (const std::exception& e) {
      spdlog::error("cancelling a deferred answer failed: {}", e.what());
    }
    deferred_cancel_ = nullptr;
  }
}

// Nothing reads the socket while a deferred answer is prepared: watch it, so a client that
// leaves (a page navigated away or closed while its WHEP offer was being answered, an aborted
// fetch) cancels the work now rather than at its timeout; a WHEP peer answered for nobody is
// then removed at once instead of lingering until its connect timeout.
void HttpSession::watchForHangUp(std::uint64_t id) {
  stream_.socket().async_wait(
      asio::ip::tcp::socket::wait_read,
      [self = shared_from_this(), id](beast::error_code ec) { self->onReadableWhileDeferred(id, ec); });
}

void HttpSession::onReadableWhileDeferred(std::uint64_t id, beast::error_code ec) {
  if (!deferred_active_ || id != deferred_id_) return;
  if (!ec) {
    char byte = 0;
    beast::error_code peek_ec;
    auto& socket = stream_.socket();
    socket.non_blocking(true, peek_ec);
    const std::size_t n =
        socket.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, peek_ec);
    if (peek_ec == asio::error::would_block) return watchForHangUp(id);  // a spurious wake
    // More bytes (a pipelined request): the client is still there; they are read after the
    // answer. Not watched again: readable stays readable until then.
    if (!peek_ec && n > 0) return;
  }
  spdlog::debug("{}: the client left before its deferred answer", remote_);
  cancelDeferred();
  deferred_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

void HttpSession::send(HttpResponse response) {
  auto message = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(response.status), version_);
  message->set(http::field::server, "framewire");
  message->set(http::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) message->set(name, value);
  const bool keep_alive = keep_alive_ && !response.close;
  message->keep_alive(keep_alive);
  if (head_) {
    message->content_length(response.body.size());
  } else {
    message->body() = std::move(response.body);
    message->prepare_payload();
  }
  response_ = message;
  stream_.expires_after(limits_.write_timeout);
  http::async_write(stream_, *message,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->onWrite(keep_alive, ec);
                    });
}

void HttpSession::onWrite(bool keep_alive, beast::error_code ec) {
  response_.reset();
  if (ec || !keep_alive) return shutdown();
  readRequest();
}

void HttpSession::fail(int status, std::string_view message) {
  spdlog::debug("{}: {} {}", remote_, status, message);
  keep_alive_ = false;
  head_ = false;
  auto response = errorResponse(status, message);
  response.close = true;
  send(std::move(response));
}

void HttpSession::shutdown() {
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace framewire::net
