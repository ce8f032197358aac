#pragma once
// Streams one recording file over a connection taken over from the HTTP session: GET and HEAD,
// a single byte range (206 + Content-Range, 416 past the end), in 256 KiB chunks so a large
// file never sits in memory. The connection closes after the answer (Connection: close).

#include <filesystem>
#include <memory>

namespace framewire::net {
class Handoff;
}

namespace framewire::server {

// Runs on the connection's strand. `path` must already be checked (a safe recording name).
void startRecordDownload(std::shared_ptr<net::Handoff> handoff, std::filesystem::path path);

}  // namespace framewire::server
