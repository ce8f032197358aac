#include "media/encoders/codec_branch.hpp"

#include <fmt/format.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "config/config.hpp"
#include "config/config_error.hpp"
#include "core/clock.hpp"
#include "core/codec_string.hpp"
#include "core/h264_info.hpp"
#include "core/log.hpp"
#include "media/frame_wrap.hpp"

namespace framewire::media {
namespace {

const encoders::EncoderDef* chooseEncoder(const config::BranchConfig& config,
                                          const encoders::Probe& probe) {
  if (!config.pipeline.empty()) return nullptr;  // a raw description brings its own encoder
  const encoders::Selection s = encoders::selectEncoder(config.codec, config.encoder, probe);
  if (s.def == nullptr) {
    throw std::runtime_error(fmt::format("branch '{}': encoder: {}", config.id, s.error));
  }
  for (const auto& why : s.skipped) spdlog::info("media: branch {}: skipped {}", config.id, why);
  spdlog::info("media: branch {} ({}) encodes with {}{}", config.id, config.codec,
               s.def->element, s.def->hardware() ? " (hardware)" : "");
  return s.def;
}

std::map<std::string, std::string> takenParams(const config::BranchConfig& config,
                                               const encoders::EncoderDef* def) {
  if (!config.pipeline.empty()) {
    if (!config.params.empty()) {
      throw std::runtime_error(fmt::format(
          "branch '{}': params: not used with pipeline (put the properties in the pipeline)",
          config.id));
    }
    return {};
  }
  try {
    return encoders::checkParameters(config.codec, config.encoder, def, config.params);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("branch '{}': {}", config.id, e.what()));
  }
}

// TEST ONLY, off by default: FRAMEWIRE_TEST_FAIL_ENCODER=<element> makes that encoder's
// branches fail at run time (a caps filter that the encoder accepts but no raw frame of the
// branch matches sits before it, so the first frame stops the pipeline with not-negotiated), to exercise the runtime fallback without
// hardware (tests/e2e/encoder_fallback). Not a setting.
bool failsForTest(const encoders::EncoderDef* def) {
  static const char* failing = std::getenv("FRAMEWIRE_TEST_FAIL_ENCODER");
  return def != nullptr && failing != nullptr && def->element == failing;
}

core::Codec codecOf(const config::BranchConfig& config) {
  return core::codecFromName(config.codec).value_or(core::Codec::kH264);
}

config::BranchValues evaluate(const config::BranchConfig& config, const config::SourceShape& s,
                              int bitrate, int gop) {
  try {
    return config::evaluateBranch(config, s, bitrate, gop);
  } catch (const config::ConfigError& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace

void CodecBranch::check(const config::BranchConfig& config, const config::Config& global,
                        const encoders::Probe& probe) {
  const encoders::EncoderDef* def = chooseEncoder(config, probe);
  auto params = takenParams(config, def);
  const config::BranchValues v =
      evaluate(config, {global.width, global.height, global.fps}, global.bitrate_kbps, global.gop);
  encoders::EncodeParams p{v.width, v.height, v.fps, v.bitrate_kbps, v.gop, std::move(params)};
  try {
    if (def != nullptr) {
      encoders::encoderDescription(*def, p);
    } else {
      encoders::expandPlaceholders(config.pipeline, p);
    }
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("branch '{}': pipeline: {}", config.id, e.what()));
  }
}

CodecBranch::CodecBranch(const config::BranchConfig& config, const config::Config& global,
                         const encoders::Probe& probe, ControlLoop& loop)
    : config_(config),
      default_bitrate_(global.bitrate_kbps),
      default_gop_(global.gop),
      encoder_(chooseEncoder(config, probe)),
      params_(takenParams(config, encoder_)),
      codec_(codecOf(config)),
      source_{global.width, global.height, global.fps},
      values_(evaluate(config_, source_, default_bitrate_, default_gop_)),
      chain_(config.pipeline.empty()
                 ? encoders::fallbackChain(config.codec, config.encoder, probe)
                 : std::vector<const encoders::EncoderDef*>{}),
      bus_(config.id),
      branch_(BranchSpec{config.id, config.codec, encoder_ ? encoder_->element : "custom",
                         description(), values_.fps, i420Bytes(global.width, global.height)},
              loop, [this](GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
                publish(buffer, time, encoded_us);
              }) {
  width_ = values_.width;
  height_ = values_.height;
  frame_interval_us_ = values_.fps < source_.fps ? 1'000'000 / values_.fps : 0;
  if (failsForTest(encoder_)) {
    spdlog::warn("media: TEST ONLY: branch {}'s {} is made to fail at run time", config_.id,
                 encoder_->element);
  }
  branch_.setFailureHook([this](const std::string& reason) { return nextEncoder(reason); });
  std::lock_guard lock(settings_mutex_);
  settings_ = CodecBranchSettings{config_.id,
                                  config_.codec,
                                  encoder_ ? encoder_->element : "custom",
                                  encoder_ && encoder_->hardware(),
                                  encoder_ && encoder_->live_bitrate,
                                  values_.width,
                                  values_.height,
                                  values_.fps,
                                  values_.bitrate_kbps,
                                  values_.gop,
                                  /*fallback_reason=*/""};
}

std::string CodecBranch::description() const {
  // Frames never come faster than the source's: rate control budgets per frame from this.
  const int fps = std::min(values_.fps, source_.fps);
  encoders::EncodeParams p{values_.width, values_.height, fps, values_.bitrate_kbps, values_.gop,
                           params_};
  std::string encode;
  try {
    encode = encoder_ ? encoders::encoderDescription(*encoder_, p)
                      : encoders::expandPlaceholders(config_.pipeline, p);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("branch '{}': pipeline: {}", config_.id, e.what()));
  }
  if (failsForTest(encoder_)) encode = "capsfilter caps=video/x-raw,width=64,height=64,framerate=7/1 ! " + encode;
  const bool scaled = values_.width != source_.width || values_.height != source_.height;
  // As the H.264 branch: appsrc keeps only the newest frame and drops the older one, so a slow
  // encoder skips, never lags.
  return fmt::format(
      "appsrc name=branch_src is-live=true format=time do-timestamp=false block=false "
      "max-buffers=1 leaky-type=downstream "
      "caps=video/x-raw,format=I420,width={sw},height={sh},framerate={fps}/1,"
      "pixel-aspect-ratio=1/1 {scale}! {encode} "
      "! appsink name=branch_sink sync=false emit-signals=false enable-last-sample=false",
      fmt::arg("sw", source_.width), fmt::arg("sh", source_.height), fmt::arg("fps", fps),
      fmt::arg("scale", scaled ? fmt::format("! videoscale ! video/x-raw,width={},height={} ",
                                             values_.width, values_.height)
                               : std::string()),
      fmt::arg("encode", encode));
}

std::optional<std::string> CodecBranch::nextEncoder(const std::string& reason) {
  if (encoder_ == nullptr || chain_at_ + 1 >= chain_.size()) return std::nullopt;
  const encoders::EncoderDef* failed = encoder_;
  encoder_ = chain_[++chain_at_];
  try {
    params_ = encoders::checkParameters(config_.codec, config_.encoder, encoder_, config_.params);
  } catch (const std::invalid_argument&) {
    params_.clear();  // checked at start-up for every encoder of the codec: not expected
  }
  const std::string why =
      fmt::format("{} failed ({}); now {}", failed->element, reason, encoder_->element);
  spdlog::warn("media: branch {}: {}", config_.id, why);
  {
    std::lock_guard lock(settings_mutex_);
    settings_.encoder = encoder_->element;
    settings_.hardware = encoder_->hardware();
    settings_.live_bitrate = encoder_->live_bitrate;
    settings_.fallback_reason = why;
  }
  return description();
}

void CodecBranch::setDemand(std::size_t subscribers) {
  const bool open = subscribers > 0;
  if (open && !branch_.isOpen()) forceKeyframe();  // the encoder's references are stale
  branch_.setOpen(open);
}

void CodecBranch::forceKeyframe() {
  branch_.sendUpstream(
      adopt(gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0)));
}

void CodecBranch::sourceResized(int width, int height) {
  if (width == source_.width && height == source_.height) return;
  const config::SourceShape next{width, height, source_.fps};
  try {
    values_ = evaluate(config_, next, default_bitrate_, default_gop_);
  } catch (const std::exception& e) {
    spdlog::error("media: {} (keeping the branch's size)", e.what());
    values_.width = std::min(values_.width, width) & ~1;
    values_.height = std::min(values_.height, height) & ~1;
  }
  source_ = next;
  branch_.reconfigure(description(), i420Bytes(width, height));
  width_ = values_.width;
  height_ = values_.height;
  std::lock_guard lock(settings_mutex_);
  settings_.width = values_.width;
  settings_.height = values_.height;
}

std::string CodecBranch::apply(const BranchChange& change) {
  checkBranchChange(change, 50, 200000);
  config::BranchValues next = values_;
  if (change.bitrate_kbps) next.bitrate_kbps = *change.bitrate_kbps;
  if (change.fps) next.fps = *change.fps;
  if (change.gop) next.gop = *change.gop;
  if (change.width) next.width = *change.width;
  if (change.height) next.height = *change.height;
  // What is set live stays set: the numbers replace the expressions.
  if (change.bitrate_kbps) config_.bitrate = std::to_string(*change.bitrate_kbps);
  if (change.fps) config_.fps = std::to_string(*change.fps);
  if (change.gop) config_.gop = std::to_string(*change.gop);
  if (change.width) config_.width = std::to_string(*change.width);
  if (change.height) config_.height = std::to_string(*change.height);
  const bool only_bitrate = !change.fps && !change.gop && !change.width && !change.height;
  const bool bitrate_changed = next.bitrate_kbps != values_.bitrate_kbps;
  const bool rebuild = next.fps != values_.fps || next.gop != values_.gop ||
                       next.width != values_.width || next.height != values_.height;
  values_ = next;
  std::string how = "unchanged";
  if (only_bitrate && bitrate_changed && encoder_ && encoder_->live_bitrate) {
    const long long value =
        encoder_->bitrate_in_bps ? next.bitrate_kbps * 1000LL : next.bitrate_kbps;
    if (branch_.setLiveProperty("encoder", encoder_->bitrate_property, std::to_string(value),
                                description())) {
      how = "live";
    } else {
      how = "next start";  // not running: the next build takes the new description
    }
  } else if (rebuild || bitrate_changed) {
    branch_.reconfigure(description(), i420Bytes(source_.width, source_.height));
    how = "rebuilt";
  }
  width_ = values_.width;
  height_ = values_.height;
  frame_interval_us_ = values_.fps < source_.fps ? 1'000'000 / values_.fps : 0;
  std::lock_guard lock(settings_mutex_);
  settings_.width = values_.width;
  settings_.height = values_.height;
  settings_.fps = values_.fps;
  settings_.bitrate_kbps = values_.bitrate_kbps;
  settings_.gop = values_.gop;
  return how;
}

CodecBranchSettings CodecBranch::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

void CodecBranch::offer(GstBuffer* buffer, std::int64_t capture_us) {
  const std::int64_t interval = frame_interval_us_.load();
  if (interval > 0 && branch_.isOpen()) {
    const std::int64_t now = core::steadyMicros();
    // A lower fps than the source: skip before the encoder. A frame a little early (the
    // source's own jitter) is taken rather than skipping two.
    if (now + interval / 8 < next_due_us_) return;
    // Keep the cadence, but never try to catch up after a pause.
    next_due_us_ = (now - next_due_us_ > interval) ? now + interval : next_due_us_ + interval;
  }
  branch_.push(buffer, capture_us);
}

void CodecBranch::publish(GstBuffer* buffer, const FrameTime& time, std::int64_t encoded_us) {
  std::shared_ptr<core::EncodedFrame> frame = wrapBuffer(buffer);
  if (!frame) return;
  frame->codec = codec_;
  const bool not_delta = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  // H.264: only an IDR starts a decoder. The others: the encoder's flag is the truth.
  frame->keyframe = codec_ == core::Codec::kH264 ? not_delta && core::containsIdr(frame->bytes())
                                                 : not_delta;
  frame->width = width_.load();
  frame->height = height_.load();
  frame->sequence = sequence_.fetch_add(1);
  applyFrameTime(*frame, time, encoded_us);
  bus_.publish(frame);
}

}  // namespace framewire::media
