#pragma once
// `branches:` in YAML: several encoded branches from one capture, in the spirit of neko's
// pipelines. An ordered list; the first branch is the default one (Direct and WHEP without
// ?branch=). Without `branches:` framewire runs one H.264 branch "main" from the top-level
// flags, exactly as before.
//
// Sizes, fps, bitrate and GOP are kept as text: a number or a muParser expression of the
// source's `width`, `height` and `fps` (e.g. "(width / 3) * 2", "min(fps, 30)"). They are
// checked when the file is read (against the configured size) and evaluated again whenever the
// source's size changes.

#include <map>
#include <string>
#include <vector>

namespace framewire::config {

struct BranchConfig {
  std::string id;
  std::string codec = "h264";     // h264, h265, vp8, vp9, av1
  std::string encoder = "auto";   // auto or a GStreamer element from --list-encoders
  std::string width = "width";    // expressions of the source's width, height, fps
  std::string height = "height";
  std::string fps = "fps";
  std::string bitrate;            // kbit/s; empty: the top-level `bitrate`
  std::string gop;                // frames; empty: the top-level `gop`
  std::map<std::string, std::string> params;  // encoder properties (checked per encoder)
  // A raw GStreamer description of the encode part (encoder, parser), used instead of the
  // registry's; placeholders {width} {height} {fps} {bitrate} {bitrate_bps} {gop} {keyint}.
  std::string pipeline;
  std::string origin;  // the YAML file, for messages
};

// A branch's numbers for a given source.
struct BranchValues {
  int width = 0;
  int height = 0;
  int fps = 0;
  int bitrate_kbps = 0;
  int gop = 0;
};

struct SourceShape {
  int width = 0;
  int height = 0;
  int fps = 0;
};

// Evaluates every expression of `branch`; throws ConfigError "branch 'ID': KEY: reason".
// `default_bitrate` / `default_gop` stand in for empty `bitrate` / `gop`. Width and height are
// rounded down to even numbers (what I420 encoders take).
BranchValues evaluateBranch(const BranchConfig& branch, const SourceShape& source,
                            int default_bitrate, int default_gop);

// One expression of width, height and fps, or throws ConfigError naming `where`.
double evaluateExpression(const std::string& where, const std::string& text,
                          const SourceShape& source);

}  // namespace framewire::config
