#pragma once
// Serves the web UI's files from one directory: safe paths only (no traversal, no hidden
// files, symlinks may not lead outside), content types by extension.

#include <filesystem>

#include "net/http_types.hpp"

namespace framewire::server {

class StaticFiles {
 public:
  // `root` need not exist (then every file is 404, and a warning is logged once at start).
  explicit StaticFiles(std::filesystem::path root);

  // GET/HEAD: the file or 404; other methods: 405 for an existing file, else 404.
  net::HttpResponse serve(const net::HttpRequest& request) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // canonical when it exists
};

}  // namespace framewire::server
