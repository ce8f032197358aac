#pragma once
// A parsed SDP session description (RFC 8866), just deep enough for WHEP: the m-sections with
// their mid, port, direction, codecs (rtpmap/fmtp/rtcp-fb) and ICE/DTLS attributes.
//
// Pure functions, no GStreamer: every line is kept verbatim (SdpLine) so that rewriting an
// offer or an answer changes only what it means to change. Thread-safe (no shared state).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace framewire::transport::webrtc {

// One "x=value" line, without its line ending.
struct SdpLine {
  char type = 0;      // 'v', 'o', 'm', 'a', 'c', ...
  std::string value;  // everything after "x="

  // For 'a' lines: the attribute name ("rtpmap" in "a=rtpmap:96 VP8/90000") and its value.
  std::string_view attributeName() const;
  std::string_view attributeValue() const;
  std::string text() const { return std::string(1, type) + "=" + value; }
};

struct RtpMap {
  int payload_type = -1;
  std::string encoding;  // as written ("H264", "rtx", "opus")
  int clock_rate = 0;
  std::string channels;  // "2" for opus; empty when absent
};

struct MediaSection {
  std::string media;  // "audio", "video", "application"
  int port = 0;
  std::string proto;                 // "UDP/TLS/RTP/SAVPF"
  std::vector<std::string> formats;  // as listed on the m= line (payload types for RTP)
  std::vector<SdpLine> lines;        // every line after the m= line, verbatim

  std::string mid;        // empty when the offer has none
  std::string direction;  // "sendrecv" (the default), "sendonly", "recvonly", "inactive"
  std::map<int, RtpMap> rtpmaps;
  std::map<int, std::string> fmtps;                  // payload type → parameters
  std::map<int, std::vector<std::string>> rtcp_fbs;  // payload type → feedback ("nack pli")
  std::vector<std::string> wildcard_rtcp_fbs;        // "a=rtcp-fb:* ..."

  std::optional<std::string> attribute(std::string_view name) const;  // first a=<name>
  bool isRtp() const { return proto.find("RTP/") != std::string::npos; }
};

struct SessionDescription {
  std::vector<SdpLine> session_lines;  // before the first m= line
  std::vector<MediaSection> media;

  // a=<name> at session level, else nothing.
  std::optional<std::string> sessionAttribute(std::string_view name) const;
  // The mids of "a=group:BUNDLE ...", empty when there is no BUNDLE group.
  std::vector<std::string> bundleMids() const;
  // a=<name> on the section, falling back to the session level (ice-ufrag, fingerprint, ...).
  std::optional<std::string> effectiveAttribute(const MediaSection& section,
                                                std::string_view name) const;
};

struct SdpParseResult {
  std::optional<SessionDescription> description;
  std::string error;  // why parsing failed, names the line
};

// Parses SDP text (CRLF or LF line endings). Fails on anything that is not SDP or is cut off:
// the first line must be "v=0", every line "x=...", every m= line well formed, every rtpmap
// valid, and at least one m= section present.
SdpParseResult parseSdp(std::string_view text);

// Serialises with CRLF line endings (what every SDP consumer accepts).
std::string serializeSdp(const SessionDescription& description);
std::string serializeSection(const MediaSection& section);

// "key=value;key2=value2" → map (keys lower-cased, whitespace trimmed).
std::map<std::string, std::string> parseFmtp(std::string_view parameters);

}  // namespace framewire::transport::webrtc
