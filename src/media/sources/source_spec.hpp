#pragma once
// SourceSpec: what the capture pipeline needs to know about one source. Each source kind
// (test, x11, stdin, file, rtsp, v4l2) has a small file that builds its spec from the config.
//
// The description is a gst-launch fragment that ends either in raw video (converted to
// I420 by the capture pipeline's tail) or, when `encoded`, in H.264 that the capture pipeline
// parses into Annex-B access units and hands over without re-encoding.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace framewire::media {

struct SourceSpec {
  std::string description;            // the source part of the capture pipeline
  bool encoded = false;               // H.264 passed through (no encoder while live)
  // Encoded only: the description ends in a plain Annex-B byte stream that framewire cuts into
  // access units itself (sources/access_units.hpp) instead of h264parse, so viewers get the
  // producer's bytes unchanged (stdin).
  bool split_access_units = false;
  bool loop = false;                  // end of stream means "seek to the start" (files)
  bool restart_when_silent = true;    // a quiet source is rebuilt (not stdin: it would lose data)
  std::string error_reason = "no signal";  // what NO SIGNAL says after an error
  std::string end_reason = "input ended";  // ... after the end of the stream
  // A reason known before building (e.g. "device missing"): the source is not built at all;
  // viewers get NO SIGNAL with this reason and the source is tried again every second.
  std::string unavailable;
  std::vector<std::string> elements;  // GStreamer elements it needs (checked at start-up)
  // A source with a part outside the pipeline (x11: the capture child process) starts it here,
  // just before each build of the capture pipeline, and completes `description` (e.g. with the
  // pipe's fd). What it returns is kept until that pipeline has been torn down, then released
  // (which ends the part: the child is killed and reaped). Throws std::runtime_error when the
  // part cannot start; that counts as a capture failure (retried every second).
  std::function<std::shared_ptr<void>(std::string& description)> prepare;
};

// The spec for config.source. Throws std::runtime_error for a source that cannot be
// described (an unknown name, a missing file, a missing URL), naming the setting.
SourceSpec describeSource(const config::Config& config);

// Fragment that scales and converts raw video to the configured size (when --size was
// given) and I420, shared by sources with their own size.
std::string rawTail(const config::Config& config);

}  // namespace framewire::media
