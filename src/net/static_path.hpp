#pragma once
// Mapping URL paths to files under a web root, safely. Pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>

namespace framewire::net {

// The relative file path for a decoded URL path ("/" and "/dir/" mean index.html), or nothing
// when the path could escape the root or names a hidden file: any ".." or "." segment, a
// segment starting with '.', a backslash or a NUL byte.
std::optional<std::string> safeRelativePath(std::string_view url_path);

// Content-Type for a file name by extension; "application/octet-stream" when unknown.
std::string_view contentTypeFor(std::string_view file_name);

}  // namespace framewire::net
