#pragma once
// A small blocking HTTP/1.1 client for WHIP signalling (one request per connection, plain
// http:// only). Std-only interface; Beast inside.

#include <chrono>
#include <map>
#include <string>

namespace framewire::record {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names (last one wins)
  std::string body;
};

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";  // path and query
};

// Parses "http://host[:port][/path]"; throws std::runtime_error naming what is wrong.
HttpUrl parseHttpUrl(const std::string& url);
// Resolves a Location header against the URL it came from: absolute URLs stay, "/path" keeps
// the host, "path" is relative to the directory of `base`.
std::string resolveLocation(const std::string& base, const std::string& location);

// Throws std::runtime_error on a connection or protocol failure or when `timeout` passes.
HttpResult httpRequest(const std::string& method, const std::string& url,
                       const std::map<std::string, std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout);

}  // namespace framewire::record
