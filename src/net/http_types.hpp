#pragma once
// Plain HTTP request/response values shared by net/, transport/ and server/. Deliberately free
// of Beast so route handlers compile fast; the session converts to and from Beast types.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace framewire::net {

using QueryParams = std::map<std::string, std::string>;

struct HttpRequest {
  std::string method;  // "GET", "HEAD", ...
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path, without the query
  QueryParams query;   // percent-decoded query parameters (last occurrence wins)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;  // "ip:port" of the peer
  bool keep_alive = true;
  bool websocket_upgrade = false;
  std::string user;  // who logged in (set by the router's guard); empty without auth

  // The header's value, or empty. `name` in lower case.
  std::string_view header(std::string_view name) const;
  // The query parameter's value, or empty.
  std::string_view param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields
  bool close = false;  // close the connection after this response

  HttpResponse& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// `{"error": message}` with the given status, application/json, no caching.
HttpResponse errorResponse(int status, std::string_view message);
// A JSON document (already serialised) with no caching and CORS open for reading.
HttpResponse jsonResponse(int status, std::string json);

}  // namespace framewire::net
