// The HTTP request path up to the route: Beast's parser with the server's limits, the
// request target, the router, and the credentials the auth guard reads.
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>

#include "net/auth/credentials.hpp"
#include "net/query.hpp"
#include "net/router.hpp"

namespace http = boost::beast::http;
using namespace framewire::net;

namespace {
const Router& router() {
  static const Router r = [] {
    Router out;
    auto ok = [](const HttpRequest&) { return Reply::now(HttpResponse{}); };
    out.add({"GET", "HEAD"}, "/", ok);
    out.add({"GET"}, "/stream", ok);
    out.add({"POST", "OPTIONS"}, "/whep", ok);
    out.addPrefix({"PATCH", "DELETE", "OPTIONS"}, "/whep/", ok);
    out.addPrefix({"GET", "HEAD", "POST"}, "/api/", ok);
    out.addPrefix({"GET", "HEAD"}, "/", ok);
    return out;
  }();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  // Feed in two pieces, as a socket would.
  const std::size_t half = size / 2;
  used += parser.put(boost::asio::buffer(data, half), ec);
  if (!ec || ec == http::error::need_more) {
    ec = {};
    used += parser.put(boost::asio::buffer(data + used, size - used), ec);
  }
  if (ec || !parser.is_done()) return 0;
  const auto& request = parser.get();
  auto target = parseTarget(request.target());
  if (!target) return 0;
  (void)router().match(request.method_string(), target->path);
  for (const auto& field : request) {
    const std::string_view value = field.value();
    (void)auth::parseBasic(value);
    (void)auth::parseBearer(value);
    (void)auth::cookieValue(value, "fw_session");
  }
  (void)parseQuery(request.body());
  return 0;
}
