#pragma once
// What a request presents to prove who it is: HTTP Basic, a bearer token, a session cookie.
// Pure parsing of client input (fuzzed), no I/O and no secrets kept.

#include <optional>
#include <string>
#include <string_view>

namespace framewire::net::auth {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// "Basic base64(user:password)" (scheme case-insensitive). Nothing when the header is not
// Basic, the base64 is malformed, or there is no ':'.
std::optional<BasicCredentials> parseBasic(std::string_view authorization);

// "Bearer TOKEN" (scheme case-insensitive). Nothing when not a bearer header or empty.
std::optional<std::string> parseBearer(std::string_view authorization);

// The value of cookie `name` in a Cookie header ("a=1; fw_session=xyz"), or nothing.
std::optional<std::string> cookieValue(std::string_view cookie_header, std::string_view name);

// The address part of "ip:port" or "[v6]:port" (the client address failures are counted on).
std::string addressOf(std::string_view remote);

}  // namespace framewire::net::auth
