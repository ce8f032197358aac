#include "server/static_files.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

#include "core/log.hpp"
#include "net/static_path.hpp"

namespace framewire::server {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 32 * 1024 * 1024;

bool isInside(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

}  // namespace

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  auto canonical = fs::canonical(root_, ec);
  if (ec || !fs::is_directory(canonical, ec)) {
    spdlog::warn("web directory {} is missing: the web UI will answer 404", root_.string());
  } else {
    root_ = std::move(canonical);
  }
}

net::HttpResponse StaticFiles::serve(const net::HttpRequest& request) const {
  const auto relative = net::safeRelativePath(request.path);
  if (!relative) return net::errorResponse(404, "no such path: " + request.path);

  std::error_code ec;
  const fs::path resolved = fs::canonical(root_ / *relative, ec);
  // canonical() follows symlinks: the result must still be under the root.
  if (ec || !isInside(root_, resolved) || !fs::is_regular_file(resolved, ec)) {
    return net::errorResponse(404, "no such path: " + request.path);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = net::errorResponse(405, "method " + request.method + " not allowed on " +
                                                request.path + " (allowed: GET, HEAD)");
    response.set("Allow", "GET, HEAD");
    return response;
  }
  const auto size = fs::file_size(resolved, ec);
  if (ec || size > kMaxFileBytes) return net::errorResponse(500, "cannot read " + request.path);
  std::ifstream in(resolved, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return net::errorResponse(500, "cannot read " + request.path);

  net::HttpResponse response;
  response.content_type = std::string(net::contentTypeFor(resolved.filename().string()));
  response.body = std::move(content).str();
  // The UI is small and changes with the server: revalidate rather than cache stale modules.
  response.set("Cache-Control", "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace framewire::server
