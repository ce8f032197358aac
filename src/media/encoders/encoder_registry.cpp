#include "media/encoders/encoder_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace framewire::media::encoders {
namespace {

// The encoders' own "never on their own" keyframe interval for GOP 0 (x264's
// X264_KEYINT_MAX_INFINITE); forced keyframes (joins, losses) still come.
constexpr int kInfiniteKeyInt = 1 << 30;

int keyInt(int gop) { return gop > 0 ? gop : kInfiniteKeyInt; }

std::function<std::string(int)> keyIntProperty(const char* property, int infinite) {
  return [property, infinite](int gop) {
    return fmt::format("{}={}", property, gop > 0 ? gop : infinite);
  };
}

// libvpx and libaom: GOP 0 turns automatic keyframes off; forced ones still work.
std::function<std::string(int)> vpxKeyframes() {
  return [](int gop) {
    return gop > 0 ? fmt::format("keyframe-mode=auto keyframe-max-dist={}", gop)
                   : std::string("keyframe-mode=disabled");
  };
}

EncoderDef hw(std::string codec, std::string element, std::string family, Device device,
              std::string package, std::string tmpl, std::function<std::string(int)> keyframes,
              std::string bitrate_property, bool bps, bool live,
              std::vector<std::string> parameters) {
  return EncoderDef{std::move(codec), std::move(element), std::move(family), device,
                    std::move(package), std::move(tmpl), std::move(keyframes),
                    std::move(bitrate_property), bps, live, std::move(parameters)};
}

std::vector<EncoderDef> buildTable() {
  const std::string va = "gstreamer1.0-plugins-bad (va)";
  const std::string vaapi = "gstreamer1.0-vaapi";
  const std::string nv = "gstreamer1.0-plugins-bad (nvcodec)";
  const std::string v4l2 = "gstreamer1.0-plugins-good";
  // V4L2 M2M encoders mostly want NV12 and take their controls as one structure.
  const auto v4l2Tmpl = [](const char* element, const char* gop_control) {
    return fmt::format(
        "videoconvert ! video/x-raw,format=NV12 ! {} name=encoder "
        "extra-controls=\"controls,video_bitrate={{bitrate_bps}},{}={{keyint_v4l2}},"
        "repeat_sequence_header=1\"",
        element, gop_control);
  };
  std::vector<EncoderDef> t;
  // --- H.264
  t.push_back(hw("h264", "vah264enc", "va", Device::kDriRenderNode, va,
                 "vah264enc name=encoder rate-control=cbr bitrate={bitrate} b-frames=0 "
                 "target-usage=7 {keyframes}",
                 keyIntProperty("key-int-max", 1024), "bitrate", false, true,
                 {"target-usage", "rate-control", "cabac", "dct8x8", "ref-frames"}));
  t.push_back(hw("h264", "vaapih264enc", "vaapi", Device::kDriRenderNode, vaapi,
                 "vaapih264enc name=encoder rate-control=cbr bitrate={bitrate} max-bframes=0 "
                 "{keyframes}",
                 keyIntProperty("keyframe-period", 1000), "bitrate", false, true,
                 {"quality-level", "rate-control", "tune", "cabac", "dct8x8", "refs"}));
  t.push_back(hw("h264", "nvh264enc", "nvenc", Device::kNvidia, nv,
                 "nvh264enc name=encoder preset=low-latency-hp rc-mode=cbr zerolatency=true "
                 "bframes=0 bitrate={bitrate} {keyframes}",
                 keyIntProperty("gop-size", -1), "bitrate", false, true,
                 {"preset", "rc-mode", "qp-min", "qp-max", "aud", "spatial-aq"}));
  t.push_back(hw("h264", "v4l2h264enc", "v4l2", Device::kV4l2M2m, v4l2,
                 v4l2Tmpl("v4l2h264enc", "h264_i_frame_period") +
                     " ! video/x-h264,level=(string)4",
                 {}, "", false, false, {"device"}));
  t.push_back(hw("h264", "x264enc", "software", Device::kNone, "gstreamer1.0-plugins-ugly",
                 "x264enc name=encoder tune=zerolatency speed-preset=ultrafast bitrate={bitrate} "
                 "bframes=0 byte-stream=true {keyframes} "
                 "! video/x-h264,profile=constrained-baseline",
                 keyIntProperty("key-int-max", kInfiniteKeyInt), "bitrate", false, true,
                 {"speed-preset", "threads", "sliced-threads", "ref", "vbv-buf-capacity",
                  "qp-min", "qp-max", "intra-refresh", "option-string"}));
  t.push_back(hw("h264", "openh264enc", "software", Device::kNone, "gstreamer1.0-plugins-bad",
                 "openh264enc name=encoder usage-type=screen complexity=low rate-control=bitrate "
                 "bitrate={bitrate_bps} {keyframes}",
                 keyIntProperty("gop-size", kInfiniteKeyInt), "bitrate", true, true,
                 {"complexity", "usage-type", "rate-control", "multi-thread", "slice-mode",
                  "num-slices", "qp-min", "qp-max"}));
  // --- H.265 (Direct, recording and broadcast: Chromium cannot decode it)
  t.push_back(hw("h265", "vah265enc", "va", Device::kDriRenderNode, va,
                 "vah265enc name=encoder rate-control=cbr bitrate={bitrate} b-frames=0 "
                 "target-usage=7 {keyframes}",
                 keyIntProperty("key-int-max", 1024), "bitrate", false, true,
                 {"target-usage", "rate-control"}));
  t.push_back(hw("h265", "vaapih265enc", "vaapi", Device::kDriRenderNode, vaapi,
                 "vaapih265enc name=encoder rate-control=cbr bitrate={bitrate} max-bframes=0 "
                 "{keyframes}",
                 keyIntProperty("keyframe-period", 1000), "bitrate", false, true,
                 {"quality-level", "rate-control", "tune"}));
  t.push_back(hw("h265", "nvh265enc", "nvenc", Device::kNvidia, nv,
                 "nvh265enc name=encoder preset=low-latency-hp rc-mode=cbr zerolatency=true "
                 "bitrate={bitrate} {keyframes}",
                 keyIntProperty("gop-size", -1), "bitrate", false, true, {"preset", "rc-mode"}));
  t.push_back(hw("h265", "v4l2h265enc", "v4l2", Device::kV4l2M2m, v4l2,
                 v4l2Tmpl("v4l2h265enc", "hevc_i_frame_period"), {}, "", false, false,
                 {"device"}));
  t.push_back(hw("h265", "x265enc", "software", Device::kNone, "gstreamer1.0-plugins-bad",
                 "x265enc name=encoder tune=zerolatency speed-preset=ultrafast bitrate={bitrate} "
                 "{keyframes}",
                 keyIntProperty("key-int-max", kInfiniteKeyInt), "bitrate", false, true,
                 {"speed-preset", "option-string", "qp"}));
  // --- VP8
  t.push_back(hw("vp8", "vavp8enc", "va", Device::kDriRenderNode, va,
                 "vavp8enc name=encoder rate-control=cbr bitrate={bitrate} target-usage=7 "
                 "{keyframes}",
                 keyIntProperty("key-int-max", 1024), "bitrate", false, true,
                 {"target-usage", "rate-control"}));
  t.push_back(hw("vp8", "vaapivp8enc", "vaapi", Device::kDriRenderNode, vaapi,
                 "vaapivp8enc name=encoder rate-control=cbr bitrate={bitrate} {keyframes}",
                 keyIntProperty("keyframe-period", 1000), "bitrate", false, true,
                 {"quality-level", "rate-control"}));
  t.push_back(hw("vp8", "v4l2vp8enc", "v4l2", Device::kV4l2M2m, v4l2,
                 v4l2Tmpl("v4l2vp8enc", "video_gop_size"), {}, "", false, false, {"device"}));
  // libvpx realtime: deadline=1, no lag, CBR, error resilient; speed through cpu-used.
  t.push_back(hw("vp8", "vp8enc", "software", Device::kNone, "gstreamer1.0-plugins-good",
                 "vp8enc name=encoder deadline=1 cpu-used=16 lag-in-frames=0 end-usage=cbr "
                 "error-resilient=default threads=2 target-bitrate={bitrate_bps} {keyframes}",
                 vpxKeyframes(), "target-bitrate", true, true,
                 {"cpu-used", "threads", "deadline", "min-quantizer", "max-quantizer",
                  "static-threshold", "token-partitions", "buffer-size", "buffer-initial-size"}));
  // --- VP9
  t.push_back(hw("vp9", "vavp9enc", "va", Device::kDriRenderNode, va,
                 "vavp9enc name=encoder rate-control=cbr bitrate={bitrate} target-usage=7 "
                 "{keyframes}",
                 keyIntProperty("key-int-max", 1024), "bitrate", false, true,
                 {"target-usage", "rate-control"}));
  t.push_back(hw("vp9", "vaapivp9enc", "vaapi", Device::kDriRenderNode, vaapi,
                 "vaapivp9enc name=encoder rate-control=cbr bitrate={bitrate} {keyframes}",
                 keyIntProperty("keyframe-period", 1000), "bitrate", false, true,
                 {"quality-level", "rate-control"}));
  t.push_back(hw("vp9", "v4l2vp9enc", "v4l2", Device::kV4l2M2m, v4l2,
                 v4l2Tmpl("v4l2vp9enc", "video_gop_size"), {}, "", false, false, {"device"}));
  t.push_back(hw("vp9", "vp9enc", "software", Device::kNone, "gstreamer1.0-plugins-good",
                 "vp9enc name=encoder deadline=1 cpu-used=8 lag-in-frames=0 end-usage=cbr "
                 "error-resilient=default threads=2 row-mt=true tile-columns=2 "
                 "target-bitrate={bitrate_bps} {keyframes}",
                 vpxKeyframes(), "target-bitrate", true, true,
                 {"cpu-used", "threads", "deadline", "min-quantizer", "max-quantizer",
                  "tile-columns", "row-mt", "aq-mode", "buffer-size", "buffer-initial-size"}));
  // --- AV1
  t.push_back(hw("av1", "vaav1enc", "va", Device::kDriRenderNode, va,
                 "vaav1enc name=encoder rate-control=cbr bitrate={bitrate} target-usage=7 "
                 "{keyframes}",
                 keyIntProperty("key-int-max", 1024), "bitrate", false, true,
                 {"target-usage", "rate-control"}));
  t.push_back(hw("av1", "nvav1enc", "nvenc", Device::kNvidia, nv,
                 "nvav1enc name=encoder preset=p1 tune=ultra-low-latency rc-mode=cbr "
                 "bitrate={bitrate} {keyframes}",
                 keyIntProperty("gop-size", -1), "bitrate", false, true, {"preset", "rc-mode"}));
  // VBR: libaom 3.6's CBR rate control aborts on an assertion (ratectrl.c, q out of bounds)
  // with these realtime settings, taking the process with it.
  t.push_back(hw("av1", "av1enc", "software", Device::kNone, "gstreamer1.0-plugins-bad",
                 "av1enc name=encoder usage-profile=realtime cpu-used=10 lag-in-frames=0 "
                 "end-usage=vbr threads=2 row-mt=true target-bitrate={bitrate} {keyframes}",
                 vpxKeyframes(), "target-bitrate", false, true,
                 {"cpu-used", "threads", "min-quantizer", "max-quantizer", "tile-columns",
                  "tile-rows", "row-mt", "buf-sz", "buf-initial-sz"}));
  return t;
}

bool safeValue(const std::string& value) {
  if (value.empty() || value.size() > 200) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '=' || c == ',' || c == '+' || c == '/';
  });
}

}  // namespace

std::string deviceDescription(Device device) {
  switch (device) {
    case Device::kNone: return "none";
    case Device::kDriRenderNode: return "a VA-API render node (/dev/dri/renderD*)";
    case Device::kNvidia: return "an NVIDIA device (/dev/nvidia*)";
    case Device::kV4l2M2m: return "a V4L2 memory-to-memory encoder (/dev/video*)";
  }
  return "unknown";
}

const std::vector<EncoderDef>& encoderTable() {
  static const std::vector<EncoderDef> table = buildTable();
  return table;
}

const std::vector<std::string>& knownCodecs() {
  static const std::vector<std::string> codecs{"h264", "h265", "vp8", "vp9", "av1"};
  return codecs;
}

const EncoderDef* findEncoder(const std::string& element) {
  for (const auto& def : encoderTable()) {
    if (def.element == element) return &def;
  }
  return nullptr;
}

Availability checkEncoder(const EncoderDef& def, const Probe& probe) {
  Availability a{&def, false, ""};
  // GStreamer registers a v4l2*enc element only for an encoder device it found: the missing
  // device is the real reason.
  if (def.device == Device::kV4l2M2m &&
      !(probe.find_device && probe.find_device(def.device))) {
    a.reason = "no " + deviceDescription(def.device).substr(2);
    return a;
  }
  if (!probe.has_element || !probe.has_element(def.element)) {
    a.reason = fmt::format("GStreamer element {} not installed ({})", def.element, def.package);
    return a;
  }
  if (def.hardware()) {
    const auto path = probe.find_device ? probe.find_device(def.device) : std::nullopt;
    if (!path) {
      a.reason = "no " + deviceDescription(def.device).substr(2);  // "no VA-API render node…"
      return a;
    }
    a.reason = "hardware, " + *path;
  } else {
    a.reason = "software";
  }
  a.available = true;
  return a;
}

std::vector<Availability> listEncoders(const Probe& probe) {
  std::vector<Availability> out;
  for (const auto& def : encoderTable()) out.push_back(checkEncoder(def, probe));
  return out;
}

std::string encoderTableText(const Probe& probe) {
  std::string out = fmt::format("{:<6} {:<14} {:<9} {}\n", "codec", "encoder", "kind", "status");
  for (const auto& a : listEncoders(probe)) {
    out += fmt::format("{:<6} {:<14} {:<9} {}\n", a.def->codec, a.def->element, a.def->family,
                       a.available ? "available (" + a.reason + ")" : "unavailable: " + a.reason);
  }
  out += "auto picks the first available encoder of the codec, in this order.\n";
  return out;
}

Selection selectEncoder(const std::string& codec, const std::string& requested,
                        const Probe& probe) {
  Selection s;
  if (std::find(knownCodecs().begin(), knownCodecs().end(), codec) == knownCodecs().end()) {
    s.error = fmt::format("unknown codec '{}' (valid: h264, h265, vp8, vp9, av1)", codec);
    return s;
  }
  if (requested != "auto") {
    const EncoderDef* def = findEncoder(requested);
    if (def == nullptr || def->codec != codec) {
      std::vector<std::string> names;
      for (const auto& d : encoderTable()) {
        if (d.codec == codec) names.push_back(d.element);
      }
      s.error = fmt::format("unknown {} encoder '{}' (valid: auto, {})", codec, requested,
                            fmt::join(names, ", "));
      return s;
    }
    const Availability a = checkEncoder(*def, probe);
    if (!a.available) {
      s.error = fmt::format("encoder {} is unavailable: {}", requested, a.reason);
      return s;
    }
    s.def = def;
    return s;
  }
  for (const auto& def : encoderTable()) {
    if (def.codec != codec) continue;
    const Availability a = checkEncoder(def, probe);
    if (a.available) {
      s.def = &def;
      return s;
    }
    s.skipped.push_back(def.element + ": " + a.reason);
  }
  s.error = fmt::format("no {} encoder available ({})", codec, fmt::join(s.skipped, "; "));
  return s;
}

std::vector<const EncoderDef*> fallbackChain(const std::string& codec,
                                             const std::string& requested, const Probe& probe) {
  std::vector<const EncoderDef*> chain;
  if (requested != "auto") {
    if (const Selection s = selectEncoder(codec, requested, probe); s.def) chain.push_back(s.def);
    return chain;
  }
  for (const auto& def : encoderTable()) {
    if (def.codec == codec && checkEncoder(def, probe).available) chain.push_back(&def);
  }
  return chain;
}

std::map<std::string, std::string> checkParameters(
    const std::string& codec, const std::string& requested, const EncoderDef* chosen,
    const std::map<std::string, std::string>& params) {
  std::map<std::string, std::string> taken;
  for (const auto& [key, value] : params) {
    bool known_for_codec = false;
    std::vector<std::string> valid;
    for (const auto& def : encoderTable()) {
      if (def.codec != codec) continue;
      if (requested != "auto" && def.element != requested) continue;
      for (const auto& p : def.parameters) {
        if (std::find(valid.begin(), valid.end(), p) == valid.end()) valid.push_back(p);
        if (p == key) known_for_codec = true;
      }
    }
    if (!known_for_codec) {
      throw std::invalid_argument(
          fmt::format("params.{}: unknown parameter for {} (valid: {})", key,
                      requested == "auto" ? codec + " encoders" : requested,
                      fmt::join(valid, ", ")));
    }
    if (!safeValue(value)) {
      throw std::invalid_argument(fmt::format(
          "params.{}: '{}' is not valid: letters, digits and - _ . : = , + / only", key, value));
    }
    if (chosen != nullptr && std::find(chosen->parameters.begin(), chosen->parameters.end(),
                                       key) != chosen->parameters.end()) {
      taken[key] = value;
    }
  }
  return taken;
}

std::string expandPlaceholders(const std::string& text, const EncodeParams& p) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    if (open == std::string::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) {
      throw std::invalid_argument(fmt::format("unclosed '{{' at offset {}", open));
    }
    const std::string name = text.substr(open + 1, close - open - 1);
    if (name == "width") out += std::to_string(p.width);
    else if (name == "height") out += std::to_string(p.height);
    else if (name == "fps") out += std::to_string(p.fps);
    else if (name == "bitrate") out += std::to_string(p.bitrate_kbps);
    else if (name == "bitrate_bps") out += std::to_string(p.bitrate_kbps * 1000LL);
    else if (name == "gop") out += std::to_string(p.gop);
    else if (name == "keyint") out += std::to_string(keyInt(p.gop));
    else if (name == "keyint_v4l2") out += std::to_string(p.gop > 0 ? p.gop : 0);
    else {
      throw std::invalid_argument(fmt::format(
          "unknown placeholder {{{}}} (valid: {{width}} {{height}} {{fps}} {{bitrate}} "
          "{{bitrate_bps}} {{gop}} {{keyint}})",
          name));
    }
    at = close + 1;
  }
  return out;
}

std::string codecTail(const std::string& codec) {
  if (codec == "h264") {
    return " ! video/x-h264,stream-format=byte-stream,alignment=au ! h264parse config-interval=-1";
  }
  if (codec == "h265") {
    return " ! video/x-h265,stream-format=byte-stream,alignment=au ! h265parse config-interval=-1";
  }
  if (codec == "av1") return " ! av1parse ! video/x-av1,stream-format=obu-stream,alignment=tu";
  return "";  // VP8 / VP9: one frame per buffer already
}

std::string encoderDescription(const EncoderDef& def, const EncodeParams& params) {
  std::string tmpl = def.element_template;
  const std::size_t at = tmpl.find("{keyframes}");
  if (at != std::string::npos) {
    tmpl.replace(at, 11, def.keyframes ? def.keyframes(params.gop) : std::string());
  }
  // Extra properties go on the encoder element: right after its `name=encoder`.
  std::string extra;
  for (const auto& [key, value] : params.extra) {
    if (key != "device") extra += fmt::format(" {}={}", key, value);
  }
  if (const auto device = params.extra.find("device"); device != params.extra.end()) {
    extra += " device=" + device->second;
  }
  if (!extra.empty()) {
    const std::size_t name = tmpl.find("name=encoder");
    if (name != std::string::npos) tmpl.insert(name + 12, extra);
  }
  std::string tail = codecTail(def.codec);
  // A template ending in its own caps (x264's profile, V4L2's level) takes the tail's caps
  // fields: gst-launch cannot parse two caps filters in a row.
  const std::string caps_start = " ! video/x-" + def.codec + ",";
  const std::size_t own_caps = tmpl.rfind("! video/x-" + def.codec);
  if (own_caps != std::string::npos && tail.rfind(caps_start, 0) == 0 &&
      tmpl.find(" ! ", own_caps + 2) == std::string::npos) {
    tail = "," + tail.substr(caps_start.size());
  }
  return expandPlaceholders(tmpl, params) + tail;
}

}  // namespace framewire::media::encoders
