#include "record/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <stdexcept>

namespace framewire::record {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

HttpUrl parseHttpUrl(const std::string& url) {
  if (!url.starts_with("http://")) {
    throw std::runtime_error("only http:// URLs are supported here, not '" + url + "'");
  }
  HttpUrl out;
  const std::string rest = url.substr(7);
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.target = rest.substr(slash);
  if (authority.empty()) throw std::runtime_error("no host in '" + url + "'");
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) throw std::runtime_error("unclosed '[' in '" + url + "'");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      out.port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.port.empty()) throw std::runtime_error("bad host in '" + url + "'");
  for (char c : out.port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      throw std::runtime_error("bad port in '" + url + "'");
    }
  }
  return out;
}

std::string resolveLocation(const std::string& base, const std::string& location) {
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  const auto scheme_end = base.find("://");
  const auto path_start = base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  const std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  if (location.starts_with("/")) return origin + location;
  std::string dir = path_start == std::string::npos ? "/" : base.substr(path_start);
  if (const auto q = dir.find('?'); q != std::string::npos) dir.erase(q);
  dir.erase(dir.rfind('/') + 1);
  return origin + dir + location;
}

HttpResult httpRequest(const std::string& method, const std::string& url,
                       const std::map<std::string, std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout) {
  const HttpUrl parsed = parseHttpUrl(url);
  asio::io_context io;
  beast::tcp_stream stream(io);
  asio::ip::tcp::resolver resolver(io);
  HttpResult result;
  beast::error_code ec;

  http::request<http::string_body> request{http::string_to_verb(method), parsed.target, 11};
  request.set(http::field::host, parsed.host + ":" + parsed.port);
  request.set(http::field::user_agent, "framewire");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::response<http::string_body> response;
  beast::flat_buffer buffer;

  // Asynchronous calls on a private io_context give every step the same deadline.
  stream.expires_after(timeout);
  resolver.async_resolve(parsed.host, parsed.port, [&](beast::error_code e, auto endpoints) {
    if (e) {
      ec = e;
      return;
    }
    stream.async_connect(endpoints, [&](beast::error_code e2, auto) {
      if (e2) {
        ec = e2;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code e3, std::size_t) {
        if (e3) {
          ec = e3;
          return;
        }
        http::async_read(stream, buffer, response,
                         [&](beast::error_code e4, std::size_t) { ec = e4; });
      });
    });
  });
  io.run();
  if (ec) throw std::runtime_error(method + " " + url + ": " + ec.message());
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  result.body = response.body();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace framewire::record
