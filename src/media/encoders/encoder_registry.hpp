#pragma once
// The encoder registry: which GStreamer encoders framewire knows per codec, how each is tuned
// for latency, how bitrate / GOP / speed map onto its properties, and which one a branch gets.
//
// Pure logic, no GStreamer: what the machine has comes from an injected Probe (element
// factories present, devices present), so the selection is unit-tested with a fake machine.
// encoder_probe.cpp holds the real probe.
//
// `auto` tries hardware first (VA-API, NVENC, V4L2 M2M), then software, in table order; the
// first available encoder wins, and every skipped one says why.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace framewire::media::encoders {

// What device a hardware encoder needs besides its GStreamer element.
enum class Device { kNone, kDriRenderNode, kNvidia, kV4l2M2m };

std::string deviceDescription(Device device);  // "a VA-API render node (/dev/dri/renderD*)"

// What the encoder is asked for; already evaluated (numbers, not expressions).
struct EncodeParams {
  int width = 1280;
  int height = 720;
  int fps = 30;
  int bitrate_kbps = 4000;
  int gop = 0;  // frames between keyframes; 0 = keyframes only on request
  // Extra encoder properties from the branch's `params:` (already validated for this encoder).
  std::map<std::string, std::string> extra;
};

struct EncoderDef {
  std::string codec;    // h264, h265, vp8, vp9, av1
  std::string element;  // GStreamer factory name, e.g. "vaapih264enc"
  std::string family;   // vaapi, va, nvenc, v4l2, software
  Device device = Device::kNone;
  std::string package;  // the Debian package that brings the element
  // The encoder element (named `encoder`) with its low-latency settings; placeholders as in
  // expandPlaceholders(), plus {keyframes} from `keyframes(gop)`.
  std::string element_template;
  std::function<std::string(int gop)> keyframes;
  // Live bitrate: the property set on the running encoder, and its unit.
  std::string bitrate_property;
  bool bitrate_in_bps = false;
  bool live_bitrate = false;
  // Properties a branch may set through `params:` (anything else stops start-up).
  std::vector<std::string> parameters;

  bool hardware() const { return device != Device::kNone; }
};

// Every encoder framewire knows, hardware before software within each codec.
const std::vector<EncoderDef>& encoderTable();
const std::vector<std::string>& knownCodecs();  // h264, h265, vp8, vp9, av1
const EncoderDef* findEncoder(const std::string& element);

struct Probe {
  std::function<bool(const std::string& element)> has_element;
  // The device's path when present (e.g. "/dev/dri/renderD128"), nullopt when absent.
  std::function<std::optional<std::string>(Device)> find_device;
};

struct Availability {
  const EncoderDef* def = nullptr;
  bool available = false;
  std::string reason;  // why not, or the device used
};

Availability checkEncoder(const EncoderDef& def, const Probe& probe);
std::vector<Availability> listEncoders(const Probe& probe);
// The --list-encoders table (codec, encoder, kind, available or why not).
std::string encoderTableText(const Probe& probe);

struct Selection {
  const EncoderDef* def = nullptr;  // null: nothing usable (see `error`)
  std::vector<std::string> skipped;  // "vaapih264enc: no VA-API render node (...)"
  std::string error;
};

// `requested` is "auto" or an element name of that codec.
Selection selectEncoder(const std::string& codec, const std::string& requested,
                        const Probe& probe);

// Runtime fallback: the encoders a branch may move to when its encoder fails while running,
// in the order `auto` tries them (available ones only, starting with selectEncoder's choice).
// A named encoder has no fallback: just itself.
std::vector<const EncoderDef*> fallbackChain(const std::string& codec,
                                             const std::string& requested, const Probe& probe);

// Throws std::invalid_argument naming the parameter when a `params:` key is unknown to the
// encoder (for `auto`: unknown to every encoder of the codec) or its value could break the
// description. Returns the params the chosen encoder takes (others are for other encoders).
std::map<std::string, std::string> checkParameters(const std::string& codec,
                                                   const std::string& requested,
                                                   const EncoderDef* chosen,
                                                   const std::map<std::string, std::string>& params);

// Replaces {width} {height} {fps} {bitrate} (kbit/s) {bitrate_bps} {gop} {keyint} (the GOP,
// or 2^30 when it is 0) in `text`. Throws std::invalid_argument on an unknown placeholder.
std::string expandPlaceholders(const std::string& text, const EncodeParams& params);

// What follows the encoder so the appsink gets whole access units / frames in the form the
// transports expect (Annex-B for H.264/H.265, one temporal unit per buffer for AV1).
std::string codecTail(const std::string& codec);

// The encode part of a branch: "<encoder ...> <params> <tail>" (no appsrc, no appsink).
std::string encoderDescription(const EncoderDef& def, const EncodeParams& params);

}  // namespace framewire::media::encoders
