#include "transport/direct/direct_session.hpp"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <optional>

#include "core/clock.hpp"
#include "core/codec_string.hpp"
#include "core/h264_info.hpp"
#include "core/log.hpp"
#include "net/handoff.hpp"
#include "net/strand_poster.hpp"
#include "net/websocket_setup.hpp"
#include "transport/direct/direct_framing.hpp"

namespace framewire::transport::direct {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Enough for pongs to a sane ping rate; more pending means the client floods us.
constexpr std::size_t kMaxPendingControl = 16;

class DirectSession : public std::enable_shared_from_this<DirectSession> {
 public:
  DirectSession(net::Handoff& handoff, bus::FrameBus& bus, ClientRegistry& registry,
                DirectOptions options)
      : ws_(std::move(handoff.stream)),
        request_(std::move(handoff.request)),
        remote_(handoff.parsed.remote),
        poster_(std::make_shared<net::StrandPoster>(ws_.get_executor(), handoff.gate)),
        bus_(bus),
        registry_(registry),
        options_(std::move(options)) {}

  ~DirectSession() {
    poster_->detach();
    finish();
  }

  void start() {
    net::configureServerWebSocket(ws_, options_.handshake_timeout, options_.idle_timeout,
                                  options_.max_control_bytes);
    // One frame per access unit: no 4 KiB fragments, fewer writes.
    ws_.auto_fragment(false);
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
  }

 private:
  void onAccept(beast::error_code ec) {
    request_ = {};
    if (ec) {
      spdlog::debug("direct {}: handshake failed: {}", remote_, ec.message());
      return finish();
    }
    client_ = registry_.add(options_.raw ? "direct-raw" : "direct", remote_);
    spdlog::info("direct client {} joined ({}{})", remote_, options_.branch,
                 options_.raw ? ", raw" : "");
    std::weak_ptr<DirectSession> weak = weak_from_this();
    auto poster = poster_;
    // Called on the encoder's thread with the mailbox lock held: only post.
    subscription_ = bus_.subscribe([weak, poster] {
      poster->post([weak] {
        if (auto self = weak.lock()) self->pump();
      });
    });
    if (options_.audio_bus && !options_.raw) {
      audio_subscription_ = options_.audio_bus->subscribe([weak, poster] {
        poster->post([weak] {
          if (auto self = weak.lock()) self->pump();
        });
      });
    }
    read();
  }

  void read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->onRead(ec);
    });
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        spdlog::info("direct {}: control message over {} bytes, closing", remote_,
                     options_.max_control_bytes);
      } else if (ec != websocket::error::closed) {
        spdlog::debug("direct {}: read ended: {}", remote_, ec.message());
      }
      return finish();
    }
    if (!ws_.got_text()) return closeWith("binary messages from the client are not accepted");
    const std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    const auto parsed = parseControlMessage(text);
    if (!parsed.message) return closeWith(parsed.error);
    switch (parsed.message->type) {
      case ControlType::kKeyframe:
        bus_.requestKeyframe();
        break;
      case ControlType::kPing:
        if (options_.raw) break;  // raw streams carry access units only, never text
        if (control_out_.size() >= kMaxPendingControl) return closeWith("too many pings");
        control_out_.push_back(pongMessage(parsed.message->ping_t));
        pump();
        break;
      case ControlType::kUnknown:
        // docs/protocol.md: an unknown message closes the session (clients must not guess).
        return closeWith("unknown control message type \"" + parsed.message->type_name + "\"");
    }
    read();
  }

  // Starts the next write if none is in flight: control replies first, then audio (small,
  // and late sound is worse than a late picture: it never waits behind queued video), then
  // video.
  void pump() {
    if (writing_ || closing_ || !subscription_) return;
    if (!control_out_.empty()) {
      text_out_ = std::move(control_out_.front());
      control_out_.pop_front();
      return writeText();
    }
    if (audio_subscription_) {
      if (!next_audio_) next_audio_ = audio_subscription_->pop();
      if (next_audio_) {
        if (!audio_announced_) {
          audio_announced_ = true;
          text_out_ = audioHelloMessage({options_.audio_codec, options_.audio_sample_rate,
                                         options_.audio_channels, options_.audio_frame_ms});
          return writeText();  // the frame follows once the announcement is out
        }
        return writeFrame(std::move(next_audio_), true);
      }
    }
    if (!next_frame_) next_frame_ = subscription_->pop();
    if (!next_frame_) return;
    if (!options_.raw) {
      if (next_frame_->keyframe) {
        StreamFormat format = formatOf(*next_frame_);
        if (!format_ || *format_ != format) {
          format_ = format;
          text_out_ = helloMessage(format, options_.branch);
          return writeText();  // the keyframe follows once the hello is out
        }
      } else if (!format_) {
        // Subscriptions start at a keyframe, so this cannot happen; never send video
        // before the hello that describes it.
        next_frame_.reset();
        return pump();
      }
    }
    writeFrame(std::move(next_frame_), false);
  }

  StreamFormat formatOf(const core::EncodedFrame& frame) const {
    StreamFormat format;
    format.width = frame.width > 0 ? frame.width : options_.default_width;
    format.height = frame.height > 0 ? frame.height : options_.default_height;
    format.fps = options_.fps;
    // avc1 from the SPS; vp8 / vp09 / av01 / hev1 from the codec and the stream's shape.
    auto codec = core::webCodecsString(frame.codec, frame.bytes(), format.width, format.height,
                                       format.fps);
    if (codec) {
      format.codec = std::move(*codec);
    } else {
      format.codec = format_ ? format_->codec : "avc1.42E01F";  // keyframe without SPS
    }
    return format;
  }

  void writeText() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(text_out_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->onWritten(ec, false);
                    });
  }

  void writeFrame(core::FramePtr frame, bool audio) {
    writing_ = true;
    frame_out_ = std::move(frame);
    frame_out_is_audio_ = audio;
    header_out_ = audio ? encodeAudioHeader(frame_out_->capture_us)
                        : encodeVideoHeader(frame_out_->keyframe, frame_out_->capture_us);
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(header_out_.data(), options_.raw ? 0 : header_out_.size()),
        asio::buffer(frame_out_->data, frame_out_->size)};
    ws_.binary(true);
    ws_.async_write(buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->onWritten(ec, true);
    });
  }

  void onWritten(beast::error_code ec, bool was_frame) {
    writing_ = false;
    if (ec) {
      spdlog::debug("direct {}: write failed: {}", remote_, ec.message());
      frame_out_.reset();
      return finish();
    }
    if (was_frame && frame_out_ && frame_out_is_audio_) {
      options_.audio_bus->recordSent(*frame_out_, core::wallClockMicros());
      if (client_) client_->addSent(frame_out_->size);
      frame_out_.reset();
    } else if (was_frame && frame_out_) {
      bus_.recordSent(*frame_out_, core::wallClockMicros());
      if (client_) {
        client_->addSent(frame_out_->size);
        if (subscription_) client_->setDropped(subscription_->counters().frames_dropped);
      }
      frame_out_.reset();
    }
    pump();
  }

  void closeWith(const std::string& reason) {
    spdlog::info("direct {}: closing: {}", remote_, reason);
    release();
    closing_ = true;
    // A close frame's reason holds at most 123 bytes.
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error,
                                            std::string_view(reason).substr(0, 120)),
                    [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  // Leaves the bus and the client list (idempotent).
  void release() {
    if (subscription_) {
      bus_.unsubscribe(subscription_);
      subscription_.reset();
    }
    if (audio_subscription_) {
      options_.audio_bus->unsubscribe(audio_subscription_);
      audio_subscription_.reset();
    }
    next_audio_.reset();
    if (client_) {
      registry_.remove(client_);
      spdlog::info("direct client {} left", remote_);
      client_.reset();
    }
    next_frame_.reset();
  }

  void finish() {
    closing_ = true;
    release();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::http::request<beast::http::string_body> request_;
  const std::string remote_;
  const net::StrandPosterPtr poster_;
  bus::FrameBus& bus_;
  ClientRegistry& registry_;
  const DirectOptions options_;

  std::shared_ptr<bus::Subscription> subscription_;
  std::shared_ptr<ClientEntry> client_;
  beast::flat_buffer read_buffer_;

  bool writing_ = false;
  bool closing_ = false;
  std::deque<std::string> control_out_;
  std::string text_out_;       // the text message in flight
  core::FramePtr next_frame_;  // popped, waiting for its hello to go out
  core::FramePtr frame_out_;   // the frame in flight
  bool frame_out_is_audio_ = false;
  std::shared_ptr<bus::Subscription> audio_subscription_;  // ?audio=1 only
  core::FramePtr next_audio_;
  bool audio_announced_ = false;
  VideoHeader header_out_{};
  std::optional<StreamFormat> format_;  // what the last hello announced
};

}  // namespace

void startDirectSession(std::shared_ptr<net::Handoff> handoff, bus::FrameBus& bus,
                        ClientRegistry& registry, DirectOptions options) {
  std::make_shared<DirectSession>(*handoff, bus, registry, std::move(options))->start();
}

}  // namespace framewire::transport::direct
