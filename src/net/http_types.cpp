#include "net/http_types.hpp"

#include <nlohmann/json.hpp>

namespace framewire::net {

std::string_view HttpRequest::header(std::string_view name) const {
  const auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view{} : std::string_view{it->second};
}

std::string_view HttpRequest::param(std::string_view name) const {
  const auto it = query.find(std::string(name));
  return it == query.end() ? std::string_view{} : std::string_view{it->second};
}

HttpResponse jsonResponse(int status, std::string json) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(json);
  response.set("Cache-Control", "no-store");
  response.set("Access-Control-Allow-Origin", "*");
  return response;
}

HttpResponse errorResponse(int status, std::string_view message) {
  // dump() with replacement: a client-supplied path may hold invalid UTF-8.
  return jsonResponse(status, nlohmann::json{{"error", std::string(message)}}.dump(
                                  -1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace framewire::net
