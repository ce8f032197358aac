#include "transport/events/events_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "core/log.hpp"
#include "net/handoff.hpp"
#include "net/strand_poster.hpp"
#include "net/websocket_setup.hpp"

namespace framewire::transport::events {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

class EventsSession : public std::enable_shared_from_this<EventsSession> {
 public:
  EventsSession(net::Handoff& handoff, EventHub& hub, EventsOptions options)
      : ws_(std::move(handoff.stream)),
        request_(std::move(handoff.request)),
        remote_(handoff.parsed.remote),
        poster_(std::make_shared<net::StrandPoster>(ws_.get_executor(), handoff.gate)),
        hub_(hub),
        options_(std::move(options)) {}

  ~EventsSession() {
    poster_->detach();
    release();
  }

  void start() {
    net::configureServerWebSocket(ws_, options_.handshake_timeout, options_.idle_timeout,
                                  options_.max_client_message_bytes);
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
  }

 private:
  void onAccept(beast::error_code ec) {
    request_ = {};
    if (ec) {
      spdlog::debug("events {}: handshake failed: {}", remote_, ec.message());
      return release();
    }
    std::weak_ptr<EventsSession> weak = weak_from_this();
    auto poster = poster_;
    // Subscribe before taking the state: an event may then show up in both, never in neither.
    queue_ = hub_.subscribe(
        [weak, poster] {
          poster->post([weak] {
            if (auto self = weak.lock()) self->pump();
          });
        },
        options_.queue_capacity);
    std::string state = "null";
    try {
      if (options_.state) state = options_.state();
    } catch (const std::exception& e) {
      spdlog::error("events {}: state for the hello failed: {}", remote_, e.what());
    }
    hello_ = R"({"type":"hello","state":)" + state + "}";
    spdlog::debug("events client {} joined", remote_);
    read();
    pump();
  }

  void read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->onRead(ec);
    });
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      if (ec != websocket::error::closed) {
        spdlog::debug("events {}: read ended: {}", remote_, ec.message());
      }
      return release();
    }
    read_buffer_.consume(read_buffer_.size());  // nothing from the client means anything yet
    read();
  }

  void pump() {
    if (writing_ || !queue_) return;
    if (!hello_.empty()) {
      out_ = std::move(hello_);
      hello_.clear();
    } else if (auto next = queue_->pop()) {
      out_ = std::move(*next);
    } else {
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        asio::buffer(out_),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onWritten(ec); });
  }

  void onWritten(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      spdlog::debug("events {}: write failed: {}", remote_, ec.message());
      return release();
    }
    pump();
  }

  // Leaves the hub (idempotent). The socket closes when the last handler lets go of us.
  void release() {
    if (queue_) {
      hub_.unsubscribe(queue_);
      queue_.reset();
      spdlog::debug("events client {} left", remote_);
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::http::request<beast::http::string_body> request_;
  const std::string remote_;
  const net::StrandPosterPtr poster_;
  EventHub& hub_;
  const EventsOptions options_;

  std::shared_ptr<EventQueue> queue_;
  beast::flat_buffer read_buffer_;
  bool writing_ = false;
  std::string hello_;
  std::string out_;  // the message in flight
};

}  // namespace

void startEventsSession(std::shared_ptr<net::Handoff> handoff, EventHub& hub,
                        EventsOptions options) {
  std::make_shared<EventsSession>(*handoff, hub, std::move(options))->start();
}

}  // namespace framewire::transport::events
