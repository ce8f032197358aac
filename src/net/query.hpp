#pragma once
// Request-target parsing: split path and query, percent-decode, parse `a=b&c=d`.
// Pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace framewire::net {

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (query strings only).
// Nothing when an escape is malformed or decodes to a NUL byte.
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);

// Parses "a=1&b=&c" into {a:"1", b:"", c:""}; the last occurrence of a key wins. Nothing when
// an escape is malformed.
std::optional<QueryParams> parseQuery(std::string_view query);

struct ParsedTarget {
  std::string path;  // decoded, starts with '/'
  QueryParams query;
};

// Splits an origin-form request target ("/a/b?x=1"). Nothing when it is not origin-form
// (must start with '/') or holds a malformed escape.
std::optional<ParsedTarget> parseTarget(std::string_view target);

}  // namespace framewire::net
