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
    // Silence, live, one frame per buffer, in the format writeTestBurst writes: the engine
    // fills in the bursts and their markers (test_burst.hpp) from each buffer's PTS.
    capture = fmt::format("audiotestsrc name=burst_source is-live=true wave=silence "
                          "samplesperbuffer={} ! audio/x-raw,format=S16LE,rate={},channels=1",
                          TestBurst::kSampleRate * f.frame_ms / 1000, TestBurst::kSampleRate);
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
    // node.latency: one frame per graph cycle, as PulseAudio and ALSA are asked (the graph
    // runs at the smallest latency its nodes ask for). "NAME.monitor" (PulseAudio's name for
    // what a sink plays) captures the sink NAME's monitor: the session manager (WirePlumber)
    // links a stream to a sink only with stream.capture.sink. The caps ask for the encoder's
    // channels, which WirePlumber then gives the stream's ports (it gave one, FL only, with
    // none). The buffers carry no duration: the engine restamps them on a sample-exact
    // timeline (sample_timeline.hpp), from the arrival time do-timestamp gives the first.
    const std::string monitor_suffix = ".monitor";
    const bool monitor = device.size() > monitor_suffix.size() &&
                         device.ends_with(monitor_suffix);
    const std::string target =
        monitor ? device.substr(0, device.size() - monitor_suffix.size()) : device;
    capture = fmt::format("pipewiresrc {}do-timestamp=true client-name=framewire "
                          "stream-properties=\"props,node.latency=(string){}/48000{}\" ! "
                          "audio/x-raw,channels={}",
                          target.empty() ? "" : "target-object=" + target + " ", 48 * f.frame_ms,
                          monitor ? ",stream.capture.sink=(string)true" : "", f.channels);
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
