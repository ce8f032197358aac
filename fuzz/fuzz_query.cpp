// Request-target, query and static-path parsing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/auth/credentials.hpp"
#include "net/query.hpp"
#include "net/static_path.hpp"

using namespace framewire::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)percentDecode(text, true);
  (void)percentDecode(text, false);
  (void)parseQuery(text);
  if (const auto target = parseTarget(text)) {
    (void)safeRelativePath(target->path);
    (void)contentTypeFor(target->path);
  }
  (void)auth::addressOf(text);
  return 0;
}
