#include "transport/mjpeg/mjpeg_session.hpp"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "net/handoff.hpp"
#include "net/strand_poster.hpp"
#include "transport/mjpeg/frame_age.hpp"
#include "transport/mjpeg/mjpeg_framing.hpp"

namespace framewire::transport::mjpeg {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class MjpegSession : public std::enable_shared_from_this<MjpegSession> {
 public:
  MjpegSession(net::Handoff& handoff, bus::LatestFrameBus& bus, ClientRegistry& registry,
               MjpegOptions options)
      : socket_(handoff.stream.release_socket()),
        timer_(socket_.get_executor()),
        remote_(handoff.parsed.remote),
        poster_(std::make_shared<net::StrandPoster>(socket_.get_executor(), handoff.gate)),
        bus_(bus),
        registry_(registry),
        options_(options) {}

  ~MjpegSession() {
    poster_->detach();
    release();
  }

  void start() {
    client_ = registry_.add("mjpeg", remote_);
    published_at_start_ = bus_.framesPublished();
    spdlog::info("mjpeg client {} joined", remote_);
    std::weak_ptr<MjpegSession> weak = weak_from_this();
    auto poster = poster_;
    // Called on the JPEG encoder's thread with the watcher's lock held: only post.
    watcher_ = bus_.watch([weak, poster] {
      poster->post([weak] {
        if (auto self = weak.lock()) self->pump();
      });
    });
    // A fresh picture already there starts the stream at once (the branch may be warm).
    const auto latest = bus_.latest();
    const auto max_age_us =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.max_first_age).count();
    if (latest && isFresh(*latest, max_age_us)) first_ = latest;
    watchForClose();
    head_ = streamHead();
    write({asio::buffer(head_), asio::const_buffer(), asio::const_buffer()}, nullptr);
  }

 private:
  // The client sends nothing after its request; a read completes only when it leaves.
  void watchForClose() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->watchForClose();
                            });
  }

  void pump() {
    if (writing_ || closed_) return;
    core::FramePtr frame = std::exchange(first_, nullptr);
    if (auto newer = watcher_->take()) frame = std::move(newer);
    if (!frame) return;
    const std::int64_t time = frameTimeMicros(*frame);
    part_header_ = partHeader(frame->size, time > 0 ? time : core::wallClockMicros());
    const auto trailer = partTrailer();
    const std::array<asio::const_buffer, 3> buffers{asio::buffer(part_header_),
                                                    asio::buffer(frame->data, frame->size),
                                                    asio::buffer(trailer.data(), trailer.size())};
    write(buffers, std::move(frame));
  }

  void write(std::array<asio::const_buffer, 3> buffers, core::FramePtr frame) {
    writing_ = true;
    frame_out_ = std::move(frame);
    const std::uint64_t generation = ++write_generation_;
    timer_.expires_after(options_.write_timeout);
    timer_.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
      if (ec || !self->writing_ || generation != self->write_generation_) return;
      spdlog::info("mjpeg {}: write timed out, closing", self->remote_);
      self->close();
    });
    asio::async_write(socket_, buffers,
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->onWritten(ec);
                      });
  }

  void onWritten(boost::system::error_code ec) {
    writing_ = false;
    timer_.cancel();
    if (ec) return close();
    if (frame_out_) bus_.recordSent(*frame_out_, core::wallClockMicros());
    if (frame_out_ && client_) {
      client_->addSent(frame_out_->size);
      const std::uint64_t published = bus_.framesPublished() - published_at_start_;
      const std::uint64_t sent = client_->info().frames_sent;
      client_->setDropped(published > sent ? published - sent : 0);
    }
    frame_out_.reset();
    pump();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    release();
  }

  void release() {
    if (watcher_) {
      bus_.unwatch(watcher_);
      watcher_.reset();
    }
    if (client_) {
      registry_.remove(client_);
      spdlog::info("mjpeg client {} left", remote_);
      client_.reset();
    }
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const std::string remote_;
  const net::StrandPosterPtr poster_;
  bus::LatestFrameBus& bus_;
  ClientRegistry& registry_;
  const MjpegOptions options_;

  std::shared_ptr<bus::LatestWatcher> watcher_;
  std::shared_ptr<ClientEntry> client_;
  std::uint64_t published_at_start_ = 0;
  core::FramePtr first_;
  core::FramePtr frame_out_;
  std::string head_;
  std::string part_header_;
  std::array<char, 256> discard_{};
  std::uint64_t write_generation_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace

void startMjpegSession(std::shared_ptr<net::Handoff> handoff, bus::LatestFrameBus& bus,
                       ClientRegistry& registry, MjpegOptions options) {
  std::make_shared<MjpegSession>(*handoff, bus, registry, options)->start();
}

}  // namespace framewire::transport::mjpeg
