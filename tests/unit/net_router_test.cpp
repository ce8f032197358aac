#include <gtest/gtest.h>

#include "net/router.hpp"
#include "net/static_path.hpp"

namespace framewire::net {
namespace {

Handler tagged(std::string tag) {
  return [tag](const HttpRequest&) {
    HttpResponse response;
    response.body = tag;
    return Reply::now(response);
  };
}

std::string call(const Router::Match& match) {
  if (!match.handler) return "";
  return (*match.handler)(HttpRequest{}).response.body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add({"GET", "HEAD"}, "/", tagged("root"));
    router_.add({"GET"}, "/stream", tagged("stream"));
    router_.add({"GET", "HEAD"}, "/api/state", tagged("state"));
    router_.addPrefix({"GET", "HEAD"}, "/", tagged("static"));
    router_.addPrefix({"GET", "POST"}, "/api/", tagged("api"));
  }
  Router router_;
};

TEST_F(RouterTest, ExactPathBeatsPrefix) {
  EXPECT_EQ(call(router_.match("GET", "/")), "root");
  EXPECT_EQ(call(router_.match("GET", "/stream")), "stream");
  EXPECT_EQ(call(router_.match("HEAD", "/api/state")), "state");
}

TEST_F(RouterTest, LongestPrefixWins) {
  EXPECT_EQ(call(router_.match("GET", "/js/app.js")), "static");
  EXPECT_EQ(call(router_.match("GET", "/api/other")), "api");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  const auto match = router_.match("POST", "/stream");
  EXPECT_EQ(match.status, 405);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allow, "GET");
  EXPECT_EQ(router_.match("DELETE", "/api/state").allow, "GET, HEAD");
}

TEST(Router, UnknownPathIs404) {
  Router router;
  router.add({"GET"}, "/stream", tagged("stream"));
  EXPECT_EQ(router.match("GET", "/streams").status, 404);
  EXPECT_EQ(router.match("GET", "/").status, 404);
}

TEST(SafeRelativePath, MapsDirectoriesToIndex) {
  EXPECT_EQ(safeRelativePath("/"), "index.html");
  EXPECT_EQ(safeRelativePath("/js/app.js"), "js/app.js");
  EXPECT_EQ(safeRelativePath("/docs/"), "docs/index.html");
  EXPECT_EQ(safeRelativePath("//js//app.js"), "js/app.js");
}

TEST(SafeRelativePath, RejectsTraversalAndHiddenFiles) {
  EXPECT_FALSE(safeRelativePath("/../etc/passwd"));
  EXPECT_FALSE(safeRelativePath("/js/../../x"));
  EXPECT_FALSE(safeRelativePath("/./x"));
  EXPECT_FALSE(safeRelativePath("/.git/config"));
  EXPECT_FALSE(safeRelativePath("/a\\..\\b"));
  EXPECT_FALSE(safeRelativePath(std::string_view("/a\0b", 4)));
  EXPECT_FALSE(safeRelativePath("relative"));
  EXPECT_FALSE(safeRelativePath(""));
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(contentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(contentTypeFor("style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(contentTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(contentTypeFor("a.png"), "image/png");
  EXPECT_EQ(contentTypeFor("favicon.ico"), "image/x-icon");
  EXPECT_EQ(contentTypeFor("noext"), "application/octet-stream");
  EXPECT_EQ(contentTypeFor("x.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace framewire::net
