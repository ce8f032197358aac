#include "net/auth/credentials.hpp"

#include <sodium.h>

#include <cctype>
#include <vector>

namespace framewire::net::auth {
namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The credentials after "SCHEME ", or nothing.
std::optional<std::string_view> afterScheme(std::string_view header, std::string_view scheme) {
  header = trim(header);
  if (!startsWithNoCase(header, scheme) || header.size() <= scheme.size()) return std::nullopt;
  if (header[scheme.size()] != ' ') return std::nullopt;
  const auto rest = trim(header.substr(scheme.size() + 1));
  if (rest.empty()) return std::nullopt;
  return rest;
}

}  // namespace

std::optional<BasicCredentials> parseBasic(std::string_view authorization) {
  const auto encoded = afterScheme(authorization, "Basic");
  if (!encoded || encoded->size() > 4096) return std::nullopt;
  std::vector<unsigned char> decoded(encoded->size());
  std::size_t length = 0;
  if (sodium_base642bin(decoded.data(), decoded.size(), encoded->data(), encoded->size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  const std::string_view text(reinterpret_cast<const char*>(decoded.data()), length);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return BasicCredentials{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::optional<std::string> parseBearer(std::string_view authorization) {
  const auto token = afterScheme(authorization, "Bearer");
  if (!token) return std::nullopt;
  return std::string(*token);
}

std::optional<std::string> cookieValue(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const auto end = cookie_header.find(';');
    const auto pair = trim(cookie_header.substr(0, end));
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
      auto value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string addressOf(std::string_view remote) {
  if (remote.starts_with('[')) {
    const auto close = remote.find(']');
    return std::string(remote.substr(1, close == std::string_view::npos ? remote.npos : close - 1));
  }
  const auto colon = remote.rfind(':');
  return std::string(colon == std::string_view::npos ? remote : remote.substr(0, colon));
}

}  // namespace framewire::net::auth
