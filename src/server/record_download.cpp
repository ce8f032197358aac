#include "server/record_download.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "net/handoff.hpp"
#include "record/byte_range.hpp"

namespace framewire::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kChunk = 256 * 1024;
constexpr auto kWriteTimeout = std::chrono::seconds(30);

class RecordDownload : public std::enable_shared_from_this<RecordDownload> {
 public:
  RecordDownload(net::Handoff& handoff, std::filesystem::path path)
      : socket_(handoff.stream.release_socket()),
        timer_(socket_.get_executor()),
        path_(std::move(path)),
        head_only_(handoff.parsed.method == "HEAD"),
        range_header_(handoff.parsed.header("range")) {}

  void start() {
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path_, ec);
    file_.open(path_, std::ios::binary);
    if (ec || !file_) {
      sendHead(404, "application/json", R"({"error":"no such recording"})");
      return;
    }
    record::ByteRange range{0, size == 0 ? 0 : size - 1};
    const auto result = record::parseByteRange(range_header_, size, range);
    if (result == record::RangeResult::kUnsatisfiable) {
      extra_ = "Content-Range: bytes */" + std::to_string(size) + "\r\n";
      sendHead(416, "application/json", R"({"error":"range not satisfiable"})");
      return;
    }
    remaining_ = size == 0 ? 0 : range.length();
    file_.seekg(static_cast<std::streamoff>(range.first));
    int status = 200;
    if (result == record::RangeResult::kRange) {
      status = 206;
      extra_ = "Content-Range: bytes " + std::to_string(range.first) + "-" +
               std::to_string(range.last) + "/" + std::to_string(size) + "\r\n";
    }
    extra_ += "Accept-Ranges: bytes\r\n";
    streaming_ = true;
    sendHead(status, "video/mp4", {});
  }

 private:
  void sendHead(int status, const char* type, std::string body) {
    const std::uint64_t length = streaming_ ? remaining_ : body.size();
    const char* reason = status == 200   ? "OK"
                         : status == 206 ? "Partial Content"
                         : status == 416 ? "Range Not Satisfiable"
                                         : "Not Found";
    head_ = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
            "\r\nContent-Length: " + std::to_string(length) + "\r\n" + extra_ +
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n\r\n";
    if (!head_only_) head_ += body;
    if (head_only_) remaining_ = 0;
    write(asio::buffer(head_));
  }

  void write(asio::const_buffer buffer) {
    timer_.expires_after(kWriteTimeout);
    auto self = shared_from_this();
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->close();  // the client stopped reading
    });
    asio::async_write(socket_, buffer, [self](const boost::system::error_code& ec, std::size_t) {
      self->timer_.cancel();
      if (ec) return self->close();
      self->next();
    });
  }

  void next() {
    if (!streaming_ || remaining_ == 0) return close();
    chunk_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, remaining_)));
    file_.read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    const auto got = static_cast<std::size_t>(file_.gcount());
    if (got == 0) return close();  // the file shrank: the length promised cannot be kept
    remaining_ -= got;
    write(asio::buffer(chunk_.data(), got));
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  const std::filesystem::path path_;
  const bool head_only_;
  const std::string range_header_;
  std::ifstream file_;
  std::string head_;
  std::string extra_;
  std::vector<char> chunk_;
  std::uint64_t remaining_ = 0;
  bool streaming_ = false;
};

}  // namespace

void startRecordDownload(std::shared_ptr<net::Handoff> handoff, std::filesystem::path path) {
  std::make_shared<RecordDownload>(*handoff, std::move(path))->start();
}

}  // namespace framewire::server
