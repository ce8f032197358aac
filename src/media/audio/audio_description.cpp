#include "media/audio/audio_description.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace framewire::media {
namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

AudioFormat audioFormatFor(const config::AudioSettings& audio) {
  AudioFormat f;
  f.codec = audio.codec;
  f.frame_ms = audio.frame_ms;
  if (audio.codec == "pcmu" || audio.codec == "pcma") {
    f.sample_rate = f.rtp_clock_rate = 8000;
    f.channels = 1;
    f.rtp_encoding = audio.codec == "pcmu" ? "PCMU" : "PCMA";
  } else if (audio.codec == "g722") {
    f.sample_rate = 16000;
    f.rtp_clock_rate = 8000;
    f.channels = 1;
    f.rtp_encoding = "G722";
  } else {
    f.rtp_encoding = "OPUS";
  }
  return f;
}

AudioPlan describeAudio(const config::AudioSettings& audio, const std::string& source) {
  AudioPlan plan;
  plan.source = source;
  plan.format = audioFormatFor(audio);
  const AudioFormat& f = plan.format;
  // The capture hands over one frame's worth at a time, so the encoder never waits for more
  // than a frame: latency-time is the capture period, buffer-time a few of them.
  const int period_us = f.frame_ms * 1000;
  const std::string device = audio.device;
  std::string capture;
  if (!audio.pipeline.empty()) {
    capture = replaceAll(audio.pipeline, "{device}", device);
  } else if (source == "test" && audio.test_signal == "burst") {
    // Silence with a burst at every period's first sample ("ticks": whole sine periods from
    // phase 0, so the onset is sharp), live, one frame per buffer.
    capture = fmt::format("audiotestsrc is-live=true wave=ticks freq={} sine-periods-per-tick={} "
                          "tick-interval={} volume=0.5 samplesperbuffer={}",
                          TestBurst::kFrequencyHz,
                          TestBurst::kFrequencyHz * TestBurst::kLengthMs / 1000,
                          std::int64_t{TestBurst::kPeriodMs} * 1'000'000,
                          48000 * f.frame_ms / 1000);
    plan.elements.push_back("audiotestsrc");
    plan.burst = true;
  } else if (source == "test") {
    // A 440 Hz tone, live (paced by the clock like a real device), one frame per buffer.
    capture = fmt::format("audiotestsrc is-live=true wave=sine freq=440 volume=0.25 "
                          "samplesperbuffer={}",
                          48000 * f.frame_ms / 1000);
    plan.elements.push_back("audiotestsrc");
  } else if (source == "pulse") {
    capture = fmt::format("pulsesrc {}latency-time={} buffer-time={} client-name=framewire",
                          device.empty() ? "" : "device=" + device + " ", period_us,
                          period_us * 4);
    plan.elements.push_back("pulsesrc");
  } else if (source == "alsa") {
    capture = fmt::format("alsasrc {}latency-time={} buffer-time={}",
                          device.empty() ? "" : "device=" + device + " ", period_us,
                          period_us * 4);
    plan.elements.push_back("alsasrc");
  } else if (source == "pipewire") {
    capture = fmt::format("pipewiresrc {}do-timestamp=true",
                          device.empty() ? "" : "target-object=" + device + " ");
    plan.elements.push_back("pipewiresrc");
  }
  std::string encoder;
  if (f.codec == "pcmu") {
    encoder = "mulawenc name=encoder";
    plan.elements.push_back("mulawenc");
  } else if (f.codec == "pcma") {
    encoder = "alawenc name=encoder";
    plan.elements.push_back("alawenc");
  } else if (f.codec == "g722") {
    encoder = "avenc_g722 name=encoder";
    plan.elements.push_back("avenc_g722");
  } else {
    // restricted-lowdelay: the CELT-only mode, 2.5 ms of look-ahead instead of 6.5 ms.
    encoder = fmt::format("opusenc name=encoder bitrate={} frame-size={} "
                          "audio-type=restricted-lowdelay bitrate-type=vbr inband-fec=false "
                          "dtx=false",
                          audio.bitrate_kbps * 1000, f.frame_ms);
    plan.elements.push_back("opusenc");
  }
  for (const char* e : {"audioconvert", "audioresample", "appsink"}) plan.elements.push_back(e);
  plan.measured_capture = !audio.pipeline.empty() || source != "test";
  // The appsink keeps nothing: a frame nobody pulls in time is dropped, never queued.
  plan.description = fmt::format(
      "{} ! audioconvert name=capture_end ! audioresample ! audio/x-raw,rate={},channels={} ! {} "
      "! appsink name=audio_sink sync=false emit-signals=false enable-last-sample=false "
      "max-buffers=8 drop=true",
      capture, f.sample_rate, f.channels, encoder);
  return plan;
}

}  // namespace framewire::media
