#include "net/router.hpp"

#include <algorithm>

namespace framewire::net {

void Router::add(std::vector<std::string> methods, std::string path, Handler handler) {
  routes_.push_back(Route{std::move(methods), std::move(path), false, std::move(handler)});
}

void Router::addPrefix(std::vector<std::string> methods, std::string prefix, Handler handler) {
  routes_.push_back(Route{std::move(methods), std::move(prefix), true, std::move(handler)});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  const Route* best = nullptr;
  for (const auto& route : routes_) {
    const bool hit = route.prefix ? path.starts_with(route.path) : path == route.path;
    if (!hit) continue;
    if (!best) {
      best = &route;
    } else if (best->prefix && !route.prefix) {
      best = &route;
    } else if (best->prefix && route.prefix && route.path.size() > best->path.size()) {
      best = &route;
    }
  }
  Match match;
  if (!best) return match;
  const bool allowed =
      std::find(best->methods.begin(), best->methods.end(), method) != best->methods.end();
  if (!allowed) {
    match.status = 405;
    for (const auto& m : best->methods) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += m;
    }
    return match;
  }
  match.status = 200;
  match.handler = &best->handler;
  return match;
}

}  // namespace framewire::net
