// Authentication: parsing of client credentials (with a fuzz-style loop), the users file,
// failed-login throttling, and the request guard's answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "config/config.hpp"
#include "config/config_error.hpp"
#include "net/auth/authenticator.hpp"
#include "net/auth/credentials.hpp"
#include "net/auth/fail_limiter.hpp"
#include "net/auth/users_file.hpp"

namespace framewire::net::auth {
namespace {

std::string base64(std::string_view text) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned v = (unsigned char)text[i] << 16 | (unsigned char)text[i + 1] << 8 |
                       (unsigned char)text[i + 2];
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (text.size() - i == 1) {
    const unsigned v = (unsigned char)text[i] << 16;
    out += {table[v >> 18], table[(v >> 12) & 63], '=', '='};
  } else if (text.size() - i == 2) {
    const unsigned v = (unsigned char)text[i] << 16 | (unsigned char)text[i + 1] << 8;
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

TEST(Credentials, ParsesBasic) {
  const auto basic = parseBasic("Basic " + base64("alice:s3cret:with:colons"));
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->user, "alice");
  EXPECT_EQ(basic->password, "s3cret:with:colons");
  EXPECT_TRUE(parseBasic("basic " + base64("a:")));
  EXPECT_FALSE(parseBasic("Basic " + base64("nocolon")));
  EXPECT_FALSE(parseBasic("Basic !!!"));
  EXPECT_FALSE(parseBasic("Basic"));
  EXPECT_FALSE(parseBasic("Bearer abc"));
  EXPECT_FALSE(parseBasic(""));
}

TEST(Credentials, ParsesBearerAndCookies) {
  EXPECT_EQ(parseBearer("Bearer abc123").value_or(""), "abc123");
  EXPECT_EQ(parseBearer("bearer   abc123  ").value_or(""), "abc123");
  EXPECT_FALSE(parseBearer("Bearer "));
  EXPECT_FALSE(parseBearer("Bearerabc"));
  EXPECT_EQ(cookieValue("a=1; fw_session=xyz; b=2", "fw_session").value_or(""), "xyz");
  EXPECT_EQ(cookieValue("fw_session=\"q\"", "fw_session").value_or(""), "q");
  EXPECT_FALSE(cookieValue("fw_sessionx=1; a=fw_session", "fw_session"));
  EXPECT_FALSE(cookieValue("", "fw_session"));
}

TEST(Credentials, AddressOfRemote) {
  EXPECT_EQ(addressOf("127.0.0.1:5555"), "127.0.0.1");
  EXPECT_EQ(addressOf("[::1]:80"), "::1");
  EXPECT_EQ(addressOf("unknown"), "unknown");
}

TEST(Credentials, RandomAndMutatedHeadersNeverCrash) {
  std::mt19937 rng(8);
  const std::vector<std::string> seeds = {"Basic " + base64("u:p"), "Bearer tok",
                                          "a=1; fw_session=x", "[::1]:1"};
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[i % seeds.size()];
    const int edits = rng() % 6;
    for (int e = 0; e < edits; ++e) {
      const auto at = text.empty() ? 0 : rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(text.begin() + at, static_cast<char>(rng() % 256)); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: text = text.substr(0, at); break;
      }
    }
    (void)parseBasic(text);
    (void)parseBearer(text);
    (void)cookieValue(text, "fw_session");
    (void)addressOf(text);
  }
}

TEST(FailLimiter, RefusesPastTheLimitUntilTheWindowPasses) {
  FailLimiter limiter(3, std::chrono::seconds(60));
  const auto t0 = FailLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.blockedFor("a", t0), 0);
    limiter.recordFailure("a", t0 + std::chrono::seconds(i));
  }
  EXPECT_GT(limiter.blockedFor("a", t0 + std::chrono::seconds(3)), 0);
  EXPECT_EQ(limiter.blockedFor("b", t0), 0);  // per address
  EXPECT_EQ(limiter.blockedFor("a", t0 + std::chrono::seconds(61)), 0);
  limiter.recordFailure("b", t0);
  EXPECT_EQ(limiter.trackedAddresses(), 2u);
  limiter.recordSuccess("b");  // a right password forgets the address's failures
  EXPECT_EQ(limiter.trackedAddresses(), 1u);  // "a" keeps its failure from t0 + 2 s
}

TEST(FailLimiter, TracksABoundedNumberOfAddresses) {
  FailLimiter limiter(3, std::chrono::seconds(60), 100);
  const auto t0 = FailLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) limiter.recordFailure("10.0.0." + std::to_string(i), t0);
  EXPECT_LE(limiter.trackedAddresses(), 100u);
}

TEST(UsersFile, AddsVerifiesRemovesAndRoundTrips) {
  UsersFile users;
  users.setPassword("alice", "correct horse");
  EXPECT_TRUE(users.verifyPassword("alice", "correct horse"));
  EXPECT_FALSE(users.verifyPassword("alice", "wrong"));
  EXPECT_FALSE(users.verifyPassword("bob", "correct horse"));
  const std::string token = users.addToken("alice");
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(users.userForToken(token).value_or(""), "alice");
  EXPECT_FALSE(users.userForToken(token.substr(1)));
  EXPECT_THROW(users.addToken("nobody"), std::runtime_error);

  const std::string text = users.serialize();
  EXPECT_EQ(text.find("correct horse"), std::string::npos);  // only hashes are kept
  EXPECT_EQ(text.find(token), std::string::npos);
  const UsersFile again = UsersFile::parse(text, "test");
  EXPECT_TRUE(again.verifyPassword("alice", "correct horse"));
  EXPECT_EQ(again.userForToken(token).value_or(""), "alice");
  users.remove("alice");
  EXPECT_TRUE(users.empty());
}

TEST(UsersFile, ParseErrorsNameTheLine) {
  try {
    UsersFile::parse("# c\n\nalice:plaintext\n", "users");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("users: line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(UsersFile::parse("bad name:$argon2id$x\n", "u"), std::runtime_error);
  EXPECT_THROW(UsersFile::parse("a:token:xyz\n", "u"), std::runtime_error);
}

class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("fw-auth-test-" + std::to_string(::getpid()) + ".users"))
                .string();
    UsersFile users;
    users.setPassword("alice", "pw1");
    token_ = users.addToken("alice");
    users.save(path_);
    AuthOptions options;
    options.users_file = path_;
    options.fail_delay = std::chrono::milliseconds(250);
    options.fail_limit = 2;
    auth_ = std::make_unique<Authenticator>(options);
    auth_->addRoutes(router_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  HttpRequest request(std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = path;
    r.target = path;
    r.remote = "10.1.2.3:4000";
    return r;
  }

  std::string path_;
  std::string token_;
  Router router_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(GuardTest, NoCredentials401ForToolsAndRedirectForPages) {
  auto api = request("GET", "/api/state");
  const auto refused = auth_->guard(api);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->response.status, 401);
  EXPECT_NE(refused->response.body.find("login required"), std::string::npos);
  bool challenge = false;
  for (const auto& [name, value] : refused->response.headers) {
    if (name == "WWW-Authenticate") challenge = value.starts_with("Basic realm=");
  }
  EXPECT_TRUE(challenge);

  auto page = request("GET", "/");
  const auto redirect = auth_->guard(page);
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->response.status, 302);

  auto health = request("GET", "/api/health");
  EXPECT_FALSE(auth_->guard(health));
  auto login = request("GET", "/login.html");
  EXPECT_FALSE(auth_->guard(login));
}

TEST_F(GuardTest, BasicAndBearerPass) {
  auto basic = request("GET", "/snapshot");
  basic.headers["authorization"] = "Basic " + base64("alice:pw1");
  EXPECT_FALSE(auth_->guard(basic));
  EXPECT_EQ(basic.user, "alice");

  auto bearer = request("POST", "/whep");
  bearer.headers["authorization"] = "Bearer " + token_;
  EXPECT_FALSE(auth_->guard(bearer));
  EXPECT_EQ(bearer.user, "alice");

  auto bad = request("POST", "/whep");
  bad.headers["authorization"] = "Bearer nope";
  ASSERT_TRUE(auth_->guard(bad));
}

TEST_F(GuardTest, WrongPasswordsAreDelayedThenLimited) {
  for (int i = 0; i < 2; ++i) {
    auto wrong = request("GET", "/snapshot");
    wrong.headers["authorization"] = "Basic " + base64("alice:nope");
    const auto refused = auth_->guard(wrong);
    ASSERT_TRUE(refused);
    // Answered later, by the session's timer.
    ASSERT_TRUE(refused->deferred.start);
    EXPECT_EQ(refused->deferred.timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(refused->deferred.on_timeout.status, 401);
  }
  auto right = request("GET", "/snapshot");
  right.headers["authorization"] = "Basic " + base64("alice:pw1");
  const auto limited = auth_->guard(right);  // even the right password, from this address
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->response.status, 429);
  EXPECT_NE(limited->response.body.find("too many"), std::string::npos);

  auto elsewhere = request("GET", "/snapshot");
  elsewhere.remote = "10.9.9.9:1";
  elsewhere.headers["authorization"] = "Basic " + base64("alice:pw1");
  EXPECT_FALSE(auth_->guard(elsewhere));
}

TEST_F(GuardTest, LoginSetsAStrictHttpOnlyCookieThatAuthenticates) {
  auto login = request("POST", "/api/login");
  login.headers["content-type"] = "application/json";
  login.body = R"({"user":"alice","password":"pw1"})";
  const auto match = router_.match("POST", "/api/login");
  ASSERT_EQ(match.status, 200);
  const auto reply = (*match.handler)(login);
  ASSERT_EQ(reply.response.status, 200) << reply.response.body;
  std::string cookie;
  for (const auto& [name, value] : reply.response.headers) {
    if (name == "Set-Cookie") cookie = value;
  }
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP
  const std::string pair = cookie.substr(0, cookie.find(';'));

  auto with_cookie = request("GET", "/api/state");
  with_cookie.headers["cookie"] = "other=1; " + pair;
  EXPECT_FALSE(auth_->guard(with_cookie));
  EXPECT_EQ(with_cookie.user, "alice");
}

}  // namespace
}  // namespace framewire::net::auth

namespace framewire::config {
namespace {

TEST(ListenSafety, NonLoopbackNeedsAUsersFile) {
  Config c;
  EXPECT_NO_THROW(checkListenersSafe(c));
  c.listen_host = "::1";
  EXPECT_NO_THROW(checkListenersSafe(c));
  c.listen_host = "0.0.0.0";
  try {
    checkListenersSafe(c);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not a loopback address"), std::string::npos);
  }
  c.security.users_file = "/some/users";
  EXPECT_NO_THROW(checkListenersSafe(c));
  EXPECT_TRUE(isLoopbackHost("127.8.9.1"));
  EXPECT_TRUE(isLoopbackHost("localhost"));
  EXPECT_FALSE(isLoopbackHost("192.168.1.2"));
  EXPECT_FALSE(isLoopbackHost("example.com"));
}

}  // namespace
}  // namespace framewire::config
