#pragma once
// The Direct protocol's wire format (docs/protocol.md), as pure functions:
//  - server → client text JSON hello {"type":"hello","codec":"avc1.PPCCLL","width",...},
//    sent before the first keyframe and again whenever codec or size changes;
//  - server → client binary video messages: byte 0 = 0x01, byte 1 = flags (bit 0 keyframe),
//    bytes 2..9 = capture time in µs since the Unix epoch (big-endian uint64), then the
//    Annex-B access unit;
//  - client → server text JSON: {"type":"keyframe"}, {"type":"ping","t":X} → pong.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace framewire::transport::direct {

inline constexpr std::uint8_t kVideoMessage = 0x01;
// Opt-in (?audio=1): one encoded audio frame (an Opus packet), same 10-byte header (flags 0,
// capture time of its first sample), announced by an "audio" text message.
inline constexpr std::uint8_t kAudioMessage = 0x02;
inline constexpr std::uint8_t kFlagKeyframe = 0x01;
inline constexpr std::size_t kVideoHeaderSize = 10;

using VideoHeader = std::array<std::uint8_t, kVideoHeaderSize>;

VideoHeader encodeVideoHeader(bool keyframe, std::int64_t capture_us);
VideoHeader encodeAudioHeader(std::int64_t capture_us);

struct AudioStreamFormat {
  std::string codec;  // "opus": AudioDecoder.configure({codec})
  int sample_rate = 48000;
  int channels = 2;
  int frame_ms = 10;
};
// {"type":"audio","codec":"opus","sampleRate":48000,"numberOfChannels":2,"frame_ms":10}
std::string audioHelloMessage(const AudioStreamFormat& format);

struct DecodedVideoHeader {
  bool keyframe = false;
  std::uint8_t flags = 0;
  std::int64_t capture_us = 0;
};
// Nothing when the message is shorter than the header or not a video message.
std::optional<DecodedVideoHeader> decodeVideoHeader(std::span<const std::uint8_t> message);

struct StreamFormat {
  std::string codec;  // "avc1.42C01F"
  int width = 0;
  int height = 0;
  int fps = 0;
  bool operator==(const StreamFormat&) const = default;
};

std::string helloMessage(const StreamFormat& format, std::string_view branch);

enum class ControlType { kKeyframe, kPing, kUnknown };

struct ControlMessage {
  ControlType type = ControlType::kUnknown;
  std::string type_name;  // as sent (for logs, when unknown)
  std::string ping_t;     // for kPing: the "t" member as JSON text ("null" when absent)
};

struct ControlParse {
  std::optional<ControlMessage> message;  // set when the text is a valid control message
  std::string error;                      // why not, otherwise
};

// A JSON object with a string "type". Unknown types parse as kUnknown (the session closes on
// them, as docs/protocol.md says); anything else is an error that ends the session too.
ControlParse parseControlMessage(std::string_view text);

std::string pongMessage(std::string_view ping_t_json);

}  // namespace framewire::transport::direct
