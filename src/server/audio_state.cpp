#include "server/audio_state.hpp"

#include "media/audio/audio_engine.hpp"

namespace framewire::server {

nlohmann::json audioStateJson(media::AudioEngine& audio) {
  const media::AudioState s = audio.state();
  nlohmann::json out{{"source", s.source},       {"codec", s.codec},
                     {"sample_rate", s.sample_rate}, {"channels", s.channels},
                     {"frame_ms", s.frame_ms},   {"lipsync", s.lipsync},
                     {"capturing", s.capturing},
                     {"error", s.error},         {"frames", s.frames},
                     {"failures", s.failures}};
  if (s.burst_epoch_us > 0) {
    out["burst"] = {{"epoch_us", s.burst_epoch_us},
                    {"period_ms", media::TestBurst::kPeriodMs},
                    {"length_ms", media::TestBurst::kLengthMs},
                    {"frequency_hz", media::TestBurst::kFrequencyHz},
                    {"codes", media::TestBurst::kCodes},
                    {"marker_base_ms", media::TestBurst::kMarkerBaseMs},
                    {"marker_step_ms", media::TestBurst::kMarkerStepMs}};
  }
  if (bus::FrameBus* bus = audio.bus()) {
    const auto stats = bus->stats();
    out["listeners"] = stats.subscribers;
    out["kbps"] = stats.kbps;
    const auto& c = stats.capture_to_sent;
    // µs, as the branches' per-stage latency.
    out["capture_to_sent"] = {{"p50", c.p50}, {"p95", c.p95}, {"max", c.max},
                              {"mean", static_cast<std::int64_t>(c.mean)}, {"count", c.count}};
  }
  return out;
}

}  // namespace framewire::server
