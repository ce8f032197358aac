#pragma once
// Routes: which handler answers a method and path. server/ fills a Router before the server
// starts; sessions only read it afterwards (so it needs no lock).
//
// A handler answers in one of three ways (see Reply):
//  - now: a complete response;
//  - later: it starts something (e.g. waiting for the next JPEG) that answers from any thread
//    within a time limit; the session sends `on_timeout` when the limit passes first;
//  - by taking the connection over (streaming responses, WebSocket upgrades): the session hands
//    its socket, strand and parsed request to the transport and forgets them.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace framewire::net {

class Handoff;  // net/handoff.hpp: the socket and the Beast request (heavy; transports only)

// Called once on the connection's strand with the connection it now owns.
using Takeover = std::function<void(std::shared_ptr<Handoff>)>;

// Callable once, from any thread. Later calls, or calls after the timeout, are ignored.
using Respond = std::function<void(HttpResponse)>;
// Runs `work` on the connection's strand (any thread may call it; a no-op once it has closed).
using Post = std::function<void(std::function<void()> work)>;
// Called on the strand when the answer is no longer wanted (timeout or connection closed).
using Cancel = std::function<void()>;

struct Deferred {
  std::function<Cancel(Respond respond, Post post)> start;
  std::chrono::milliseconds timeout{5000};
  HttpResponse on_timeout;
  // The client closing its side of the connection before the answer cancels the work and
  // drops the connection. For answers that create something (a WHEP peer) a client that has
  // gone can never use or end; not for reads (a half-closing client like `nc` may still
  // wait for its snapshot).
  bool cancel_on_hang_up = false;
};

struct Reply {
  HttpResponse response;  // used when neither of the others is set
  Takeover takeover;
  Deferred deferred;

  static Reply now(HttpResponse response) { return Reply{std::move(response), {}, {}}; }
  static Reply handOver(Takeover takeover) { return Reply{{}, std::move(takeover), {}}; }
  static Reply later(Deferred deferred) { return Reply{{}, {}, std::move(deferred)}; }
};

// Runs on the connection's strand. May throw: the session answers 500 and stays up.
using Handler = std::function<Reply(const HttpRequest&)>;

// Runs before routing, for every request (authentication). Nothing: go on to the route;
// otherwise the answer to send instead. May set fields of the request (its user).
using Guard = std::function<std::optional<Reply>(HttpRequest&)>;

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;  // set when status == 200
    int status = 404;                  // 200 (found), 404 (no such path), 405 (wrong method)
    std::string allow;                 // for 405: "GET, HEAD"
  };

  // `methods` e.g. {"GET", "HEAD"}. An exact path beats any prefix route; the longest
  // prefix wins among prefixes.
  void add(std::vector<std::string> methods, std::string path, Handler handler);
  void addPrefix(std::vector<std::string> methods, std::string prefix, Handler handler);

  Match match(std::string_view method, std::string_view path) const;

  // Every request passes the guard first, whatever route it will reach (404s too).
  void setGuard(Guard guard) { guard_ = std::move(guard); }
  const Guard& guard() const { return guard_; }

 private:
  struct Route {
    std::vector<std::string> methods;
    std::string path;
    bool prefix = false;
    Handler handler;
  };
  std::vector<Route> routes_;
  Guard guard_;
};

}  // namespace framewire::net
