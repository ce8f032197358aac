#include "net/auth/authenticator.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/log.hpp"
#include "net/auth/credentials.hpp"
#include "net/auth/fail_limiter.hpp"
#include "net/auth/users_file.hpp"
#include "net/query.hpp"

namespace framewire::net::auth {
namespace {

using Clock = std::chrono::steady_clock;

// A verified Basic login is remembered this long, so a tool sending Basic on every request
// (snapshot polling) does not pay an Argon2id check each time.
constexpr auto kBasicCacheTtl = std::chrono::minutes(5);
constexpr std::size_t kMaxSessions = 10000;
constexpr std::size_t kMaxBasicCache = 1000;
// How often the users file's modification time is looked at (users added while running).
constexpr auto kReloadCheck = std::chrono::seconds(2);

const char* kChallenge = R"(Basic realm="framewire", charset="UTF-8", Bearer realm="framewire")";

std::string percentEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool isPage(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  if (request.websocket_upgrade) return false;
  if (request.path == "/") return !request.query.contains("action");  // ?action= is a tool
  return request.path.ends_with(".html") || request.path.ends_with('/');
}

template <typename Value>
void dropExpired(std::map<std::string, Value>& map, Clock::time_point now) {
  std::erase_if(map, [now](const auto& entry) { return entry.second.expires <= now; });
}

}  // namespace

struct Session {
  std::string user;
  Clock::time_point expires;
};

class Authenticator::State {
 public:
  explicit State(AuthOptions options)
      : options_(std::move(options)),
        limiter_(options_.fail_limit, options_.fail_window) {
    initSodium();
    crypto_generichash_keygen(cache_key_);
    users_ = loadUsers();
    modified_ = modifiedTime();
    last_check_ = Clock::now();
  }

  const AuthOptions& options() const { return options_; }

  std::optional<std::string> userForSession(const std::string& token) {
    reloadIfChanged();
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(tokenHash(token));
    if (it == sessions_.end()) return std::nullopt;
    if (it->second.expires <= Clock::now()) {
      sessions_.erase(it);
      return std::nullopt;
    }
    return it->second.user;
  }

  std::optional<std::string> userForToken(const std::string& token) {
    if (auto user = userForSession(token)) return user;
    std::lock_guard lock(mutex_);
    return users_.userForToken(token);
  }

  std::string newSession(const std::string& user) {
    std::string token = randomToken();
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= kMaxSessions) dropExpired(sessions_, now);
    if (sessions_.size() >= kMaxSessions) sessions_.erase(sessions_.begin());
    sessions_[tokenHash(token)] = Session{user, now + options_.session_ttl};
    return token;
  }

  void endSession(const std::string& token) {
    std::lock_guard lock(mutex_);
    sessions_.erase(tokenHash(token));
  }

  // True when the password is right. Remembers right answers for a while (keyed hash).
  bool checkPassword(const std::string& user, const std::string& password) {
    reloadIfChanged();  // before the cache: a deleted user's remembered password must fail
    const std::string key = cacheKey(user, password);
    const auto now = Clock::now();
    {
      std::lock_guard lock(mutex_);
      const auto it = basic_cache_.find(key);
      if (it != basic_cache_.end() && it->second.expires > now) return true;
    }
    UsersFile users;
    {
      std::lock_guard lock(mutex_);
      users = users_;  // verify outside the lock: Argon2id takes a while
    }
    if (!users.verifyPassword(user, password)) return false;
    std::lock_guard lock(mutex_);
    if (basic_cache_.size() >= kMaxBasicCache) dropExpired(basic_cache_, now);
    if (basic_cache_.size() >= kMaxBasicCache) basic_cache_.erase(basic_cache_.begin());
    basic_cache_[key] = Session{user, now + kBasicCacheTtl};
    return true;
  }

  FailLimiter& limiter() { return limiter_; }

 private:
  UsersFile loadUsers() const {
    UsersFile users = UsersFile::load(options_.users_file);
    if (users.empty()) {
      throw std::runtime_error("users-file " + options_.users_file +
                               " has no user: add one with framewire user add NAME --users-file " +
                               options_.users_file);
    }
    return users;
  }

  std::int64_t modifiedTime() const {
    struct stat info {};
    if (::stat(options_.users_file.c_str(), &info) != 0) return 0;
    return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  }

  void reloadIfChanged() {
    const auto now = Clock::now();
    std::int64_t previous = 0;
    {
      std::lock_guard lock(mutex_);
      if (now - last_check_ < kReloadCheck) return;
      last_check_ = now;
      previous = modified_;
    }
    const auto modified = modifiedTime();
    if (modified == previous) return;
    try {
      UsersFile users = loadUsers();
      std::lock_guard lock(mutex_);
      users_ = std::move(users);
      modified_ = modified;
      basic_cache_.clear();  // a changed or removed password must not stay accepted
      std::erase_if(sessions_, [this](const auto& entry) {  // nor a removed user's logins
        const auto& list = users_.users();
        return std::none_of(list.begin(), list.end(),
                            [&](const UserEntry& u) { return u.name == entry.second.user; });
      });
      spdlog::info("users file {} reloaded ({} users)", options_.users_file, users_.users().size());
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      modified_ = modified;
      spdlog::warn("users file not reloaded, keeping the previous users: {}", e.what());
    }
  }

  std::string cacheKey(const std::string& user, const std::string& password) const {
    std::string text = user;
    text.push_back('\0');
    text += password;
    unsigned char hash[crypto_generichash_BYTES];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), cache_key_, sizeof cache_key_);
    sodium_memzero(text.data(), text.size());
    return std::string(reinterpret_cast<const char*>(hash), sizeof hash);
  }

  const AuthOptions options_;
  FailLimiter limiter_;
  unsigned char cache_key_[crypto_generichash_KEYBYTES];
  std::mutex mutex_;
  UsersFile users_;
  std::int64_t modified_ = 0;
  Clock::time_point last_check_;
  std::map<std::string, Session> sessions_;     // by token hash
  std::map<std::string, Session> basic_cache_;  // by keyed hash of user and password
};

namespace {

HttpResponse unauthorized(std::string_view reason) {
  auto response = errorResponse(401, reason);
  response.set("WWW-Authenticate", kChallenge);
  return response;
}

HttpResponse tooMany(long long seconds) {
  auto response = errorResponse(
      429, "too many wrong passwords from this address: try again in " +
               std::to_string(seconds) + " s");
  response.set("Retry-After", std::to_string(seconds));
  return response;
}

// The wrong-password answer, sent `delay` later (the session's deferred timer sends it).
Reply delayed(HttpResponse response, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return Reply::now(std::move(response));
  Deferred deferred;
  deferred.timeout = delay;
  deferred.on_timeout = std::move(response);
  deferred.start = [](Respond, Post) -> Cancel { return {}; };
  return Reply::later(std::move(deferred));
}

std::string sessionCookie(const std::string& token, long long max_age, bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (secure) cookie += "; Secure";
  return cookie;
}

}  // namespace

Authenticator::Authenticator(AuthOptions options)
    : state_(std::make_shared<State>(std::move(options))) {}

Authenticator::~Authenticator() = default;

bool Authenticator::isPublic(std::string_view method, std::string_view path) {
  if (method == "OPTIONS") return true;  // CORS preflights carry no credentials
  return path == "/api/health" || path == "/login.html" || path == "/api/login" ||
         path == "/api/logout" || path == "/favicon.ico";
}

std::optional<Reply> Authenticator::guard(HttpRequest& request) {
  if (isPublic(request.method, request.path)) return std::nullopt;
  auto& state = *state_;

  if (const auto cookie = cookieValue(request.header("cookie"), kSessionCookie)) {
    if (auto user = state.userForSession(*cookie)) {
      request.user = std::move(*user);
      return std::nullopt;
    }
  }
  const auto authorization = request.header("authorization");
  if (const auto token = parseBearer(authorization)) {
    if (auto user = state.userForToken(*token)) {
      request.user = std::move(*user);
      return std::nullopt;
    }
    return Reply::now(unauthorized("the bearer token is not valid (or has expired)"));
  }
  if (const auto basic = parseBasic(authorization)) {
    const std::string address = addressOf(request.remote);
    const auto now = Clock::now();
    if (const auto wait = state.limiter().blockedFor(address, now)) {
      return Reply::now(tooMany(wait));
    }
    if (state.checkPassword(basic->user, basic->password)) {
      state.limiter().recordSuccess(address);
      request.user = basic->user;
      return std::nullopt;
    }
    state.limiter().recordFailure(address, now);
    spdlog::warn("{}: wrong password for user '{}'", request.remote, basic->user);
    return delayed(unauthorized("wrong user name or password"), state.options().fail_delay);
  }
  if (isPage(request)) {
    HttpResponse response;
    response.status = 302;
    response.set("Location", "/login.html?next=" + percentEncode(request.target));
    response.set("Cache-Control", "no-store");
    return Reply::now(std::move(response));
  }
  return Reply::now(unauthorized(
      "login required: HTTP Basic, a bearer token, or the session cookie from /login.html"));
}

void Authenticator::addRoutes(Router& router) {
  auto state = state_;
  router.add({"POST"}, "/api/login", [state](const HttpRequest& request) {
    std::string user;
    std::string password;
    const auto type = request.header("content-type");
    if (type.starts_with("application/json")) {
      const auto json = nlohmann::json::parse(request.body, nullptr, false);
      if (json.is_object() && json.value("user", nlohmann::json()).is_string() &&
          json.value("password", nlohmann::json()).is_string()) {
        user = json["user"].get<std::string>();
        password = json["password"].get<std::string>();
      }
    } else if (const auto form = parseQuery(request.body)) {
      if (form->contains("user")) user = form->at("user");
      if (form->contains("password")) password = form->at("password");
    }
    if (user.empty() || password.empty()) {
      return Reply::now(errorResponse(
          400, "POST /api/login takes {\"user\": NAME, \"password\": PASSWORD} (JSON or form)"));
    }
    const std::string address = addressOf(request.remote);
    const auto now = Clock::now();
    if (const auto wait = state->limiter().blockedFor(address, now)) {
      return Reply::now(tooMany(wait));
    }
    if (!state->checkPassword(user, password)) {
      state->limiter().recordFailure(address, now);
      spdlog::warn("{}: wrong password for user '{}' (login page)", request.remote, user);
      return delayed(errorResponse(401, "wrong user name or password"),
                     state->options().fail_delay);
    }
    state->limiter().recordSuccess(address);
    const std::string token = state->newSession(user);
    const auto ttl = state->options().session_ttl.count();
    auto response = jsonResponse(
        200, nlohmann::json{{"user", user}, {"token", token}, {"expires_in", ttl}}.dump());
    response.set("Set-Cookie", sessionCookie(token, ttl, state->options().secure_cookies));
    spdlog::info("{}: user '{}' logged in", request.remote, user);
    return Reply::now(std::move(response));
  });
  router.add({"POST"}, "/api/logout", [state](const HttpRequest& request) {
    if (const auto cookie = cookieValue(request.header("cookie"), kSessionCookie)) {
      state->endSession(*cookie);
    }
    if (const auto token = parseBearer(request.header("authorization"))) state->endSession(*token);
    auto response = jsonResponse(200, R"({"ok":true})");
    response.set("Set-Cookie", sessionCookie("", 0, state->options().secure_cookies));
    return Reply::now(std::move(response));
  });
}

}  // namespace framewire::net::auth
