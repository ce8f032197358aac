#pragma once
// A tiny blocking HTTP/1.1 listener for the bench baseline: one request per connection, each
// read on its own thread, requests handled one at a time, loopback only. Just enough for WHEP's POST/DELETE/OPTIONS and a stats
// GET: it keeps the baseline free of any framewire server code.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace framewire::bench {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
};

class TinyHttp {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds host:port (port 0 picks one); throws std::runtime_error on failure.
  TinyHttp(const std::string& host, int port);
  ~TinyHttp();
  TinyHttp(const TinyHttp&) = delete;
  TinyHttp& operator=(const TinyHttp&) = delete;

  int port() const { return port_; }
  // Serves until stop() is called from another thread (or a signal closes the socket).
  void serve(const Handler& handler);
  void stop();

 private:
  // false: no complete request; *silent: not a byte arrived
  bool readRequest(int fd, HttpRequest* request, bool* silent);
  void answer(int fd, const Handler& handler);
  static constexpr int kMaxConnections = 32;
  std::mutex handler_mutex_;
  std::atomic<int> active_{0};
  bool closed_ = false;  // under handler_mutex_
  int listen_fd_ = -1;
  int port_ = 0;
  volatile bool stopping_ = false;
};

}  // namespace framewire::bench
