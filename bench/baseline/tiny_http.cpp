#include "tiny_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace framewire::bench {
namespace {

constexpr size_t kMaxRequest = 256 * 1024;

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    default:
      return "Error";
  }
}

void writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

TinyHttp::TinyHttp(const std::string& host, int port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket() failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("--listen: not an IPv4 address: " + host);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

TinyHttp::~TinyHttp() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TinyHttp::stop() { stopping_ = true; }

bool TinyHttp::readRequest(int fd, HttpRequest* request, bool* silent) {
  std::string data;
  *silent = true;
  char buf[8192];
  size_t header_end = std::string::npos;
  size_t body_len = 0;
  for (int reads = 0; reads < 1000 && data.size() < kMaxRequest; ++reads) {
    // A spare connection may stay silent until the page needs it (the session's DELETE), so
    // the first byte may take long; it has its own thread, so waiting stalls nothing.
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, data.empty() ? 120000 : 5000) <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    *silent = false;
    data.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      size_t line_end = data.find("\r\n");
      const std::string line = data.substr(0, line_end);
      const size_t sp1 = line.find(' ');
      const size_t sp2 = line.find(' ', sp1 + 1);
      if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
      request->method = line.substr(0, sp1);
      request->path = line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = line_end + 2;
      while (pos < header_end) {
        const size_t eol = data.find("\r\n", pos);
        const std::string h = data.substr(pos, eol - pos);
        const size_t colon = h.find(':');
        if (colon != std::string::npos) {
          std::string name = h.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(), ::tolower);
          std::string value = h.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          request->headers[name] = value;
        }
        pos = eol + 2;
      }
      auto it = request->headers.find("content-length");
      body_len = it == request->headers.end() ? 0 : std::stoul(it->second);
    }
    if (data.size() >= header_end + 4 + body_len) {
      request->body = data.substr(header_end + 4, body_len);
      return true;
    }
  }
  return false;
}

// Answers one connection: read, handle (one request at a time, under handler_mutex), reply.
void TinyHttp::answer(int fd, const Handler& handler) {
  HttpRequest request;
  HttpResponse response;
  bool silent = true;
  const bool complete = readRequest(fd, &request, &silent);
  if (silent) {
    // Nothing asked, nothing answered: an unsolicited 400 left on a spare connection was read
    // by Chromium as the reply to the DELETE it later sent there, which so never arrived.
    ::close(fd);
    return;
  }
  if (complete) {
    std::lock_guard lock(handler_mutex_);
    if (closed_) {
      ::close(fd);
      return;
    }
    response = handler(request);
  } else {
    response = {400, "application/json", R"({"error":"malformed request"})", {}};
  }
  std::string out =
      "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  // The bench page may live at another origin (framewire's); let it call us.
  out += "Access-Control-Allow-Origin: *\r\n";
  out += "Access-Control-Allow-Methods: POST, DELETE, OPTIONS, GET\r\n";
  out += "Access-Control-Allow-Headers: Content-Type\r\n";
  out += "Access-Control-Expose-Headers: Location\r\n";
  for (const auto& [k, v] : response.headers) out += k + ": " + v + "\r\n";
  out += "Connection: close\r\n\r\n" + response.body;
  writeAll(fd, out);
  ::close(fd);
}

// Each connection is read on its own thread. Chromium opens spare connections that send
// nothing at first; read in turn, one of them held the loop, and answered with a 400 it took
// the page's DELETE: the baseline went on encoding for nobody through the next rows.
void TinyHttp::serve(const Handler& handler) {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    if (active_.load() >= kMaxConnections) {  // bounded: refuse rather than pile up threads
      ::close(fd);
      continue;
    }
    ++active_;
    std::thread([this, fd, handler] {
      answer(fd, handler);
      --active_;
    }).detach();
  }
  // handler lives in the caller's frame: no reader may call it once serve() has returned
  // (readers still waiting on a silent connection end with the process)
  std::lock_guard lock(handler_mutex_);
  closed_ = true;
}

}  // namespace framewire::bench
