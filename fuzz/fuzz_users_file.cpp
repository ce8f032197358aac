// The users file parser (an operator's file, but a malformed one must only be refused).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "net/auth/users_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto users = framewire::net::auth::UsersFile::parse(text, "fuzz");
    (void)users.serialize();
    (void)users.userForToken(text.substr(0, 64));
  } catch (const std::runtime_error&) {
  }
  return 0;
}
