#include "config/value_parsers.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "config/config_error.hpp"

namespace framewire::config {
namespace {

[[noreturn]] void reject(std::string_view where, std::string_view text, std::string_view valid) {
  throw ConfigError(fmt::format("{}: '{}' is not valid: {}", where, text, valid));
}

bool toInteger(std::string_view text, long long& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

long long parseInteger(std::string_view where, std::string_view text, long long min,
                       long long max) {
  long long value = 0;
  if (!toInteger(text, value) || value < min || value > max) {
    reject(where, text, fmt::format("must be a whole number from {} to {}", min, max));
  }
  return value;
}

double parseNumber(std::string_view where, std::string_view text, double min, double max) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = copy.empty() ? NAN : std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value) ||
      value < min || value > max) {
    reject(where, text, fmt::format("must be a number from {} to {}", min, max));
  }
  return value;
}

std::string parseChoice(std::string_view where, std::string_view text,
                        std::initializer_list<std::string_view> choices) {
  for (auto choice : choices) {
    if (choice == text) return std::string(choice);
  }
  reject(where, text, fmt::format("must be one of {}", fmt::join(choices, ", ")));
}

std::pair<int, int> parseSize(std::string_view where, std::string_view text) {
  const auto x = text.find('x');
  long long w = 0, h = 0;
  const char* valid =
      "must be WIDTHxHEIGHT with even numbers, width 160 to 7680 and height 120 to 4320 "
      "(e.g. 1280x720)";
  if (x == std::string_view::npos || !toInteger(text.substr(0, x), w) ||
      !toInteger(text.substr(x + 1), h) || w < 160 || w > 7680 || h < 120 || h > 4320 ||
      w % 2 != 0 || h % 2 != 0) {
    reject(where, text, valid);
  }
  return {static_cast<int>(w), static_cast<int>(h)};
}

std::pair<std::string, std::uint16_t> parseListen(std::string_view where, std::string_view text) {
  const char* valid = "must be HOST:PORT with a port from 0 to 65535 (e.g. 127.0.0.1:8080)";
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) reject(where, text, valid);
  std::string_view host = text.substr(0, colon);
  long long port = -1;
  if (!toInteger(text.substr(colon + 1), port) || port < 0 || port > 65535) {
    reject(where, text, valid);
  }
  // [::1]:8080 style IPv6 literals.
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) reject(where, text, valid);
  return {std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace framewire::config
