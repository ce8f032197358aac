// A Direct WebSocket control message from the client (a JSON text frame), and the pong built
// from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/direct/direct_framing.hpp"

using namespace framewire::transport::direct;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parseControlMessage(text);
  if (parsed.message && parsed.message->type == ControlType::kPing) {
    (void)pongMessage(parsed.message->ping_t);
  }
  (void)decodeVideoHeader(std::span(data, size));
  return 0;
}
