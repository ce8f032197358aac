#pragma once
// Where the viewer's microphone goes (docs/config.md, `microphone`). Who may send one: every
// viewer the server lets in (with a users file, only logged-in viewers reach /whep at all).

#include <string>

namespace framewire::transport::webrtc {

struct MicrophoneSettings {
  std::string sink;  // PulseAudio sink name; empty: the server's default sink
};

}  // namespace framewire::transport::webrtc
