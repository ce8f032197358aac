#pragma once
// Who may use framewire: checks every request before it is routed (Router::setGuard), and
// answers the login and logout routes. Accepts, in order: the session cookie of a web login,
// a bearer token (a web login's token or one from `framewire user token`), HTTP Basic.
// Without credentials a page (/, *.html) is redirected to /login.html; everything else gets a
// 401 JSON reason with a WWW-Authenticate challenge. Wrong passwords are answered late
// (fail_delay) and, past fail_limit per client address in fail_window, refused with 429.
//
// Threads: guard() and the handlers run on any io thread; the state inside is locked.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/router.hpp"

namespace framewire::net::auth {

struct AuthOptions {
  std::string users_file;
  std::chrono::milliseconds fail_delay{1000};
  int fail_limit = 5;
  std::chrono::seconds fail_window{60};
  std::chrono::seconds session_ttl{12 * 3600};
  bool secure_cookies = false;  // add "Secure" (under TLS)
};

inline constexpr const char* kSessionCookie = "fw_session";

class Authenticator {
 public:
  // Reads the users file. Throws std::runtime_error when it is unreadable, malformed or has
  // no user.
  explicit Authenticator(AuthOptions options);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Nothing: the request may go on (request.user is set). Otherwise the answer to send.
  std::optional<Reply> guard(HttpRequest& request);

  // POST /api/login, POST /api/logout.
  void addRoutes(Router& router);

  // Paths answered without a login: the health check, the login page and its routes.
  static bool isPublic(std::string_view method, std::string_view path);

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace framewire::net::auth
