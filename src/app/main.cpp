// framewire: wiring and start/stop order.
//
// Start: config → logging → media engine (checks plugins; pipelines start on demand) →
// server (binds). Stop on SIGINT/SIGTERM in the reverse order. Any start-up failure is one
// line on stderr and a non-zero exit; nothing at run time ends the process.

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "core/log.hpp"
#include "media/encoders/encoder_probe.hpp"
#include "media/media_engine.hpp"
#include "app/process_priority.hpp"
#include "app/user_command.hpp"
#include "server/server.hpp"

namespace {

// Signals are blocked in every thread (threads inherit the mask) and taken here with sigwait,
// so no handler runs in an arbitrary thread.
sigset_t blockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int run(const std::vector<std::string>& args) {
  using namespace framewire;
  for (const auto& arg : args) {
    if (arg == "--list-encoders") {
      std::fputs(media::encoders::encoderTableText(media::encoders::systemProbe()).c_str(),
                 stdout);
      return 0;
    }
  }
  const config::LoadResult loaded = config::loadConfig(args);
  if (loaded.exit_now) {
    std::fputs(loaded.output.c_str(), stdout);
    return loaded.exit_code;
  }
  const config::Config& cfg = loaded.config;
  config::checkListenersSafe(cfg);  // no login on a non-loopback address: exit 2
  spdlog::set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  core::setLogLevel(cfg.log_level);
  app::applyNice(cfg.nice);  // before any thread starts: they all inherit it

  const sigset_t stop_signals = blockStopSignals();
  std::signal(SIGPIPE, SIG_IGN);

  media::MediaEngine media(cfg);
  media.start();
  server::Server server(cfg, media);
  server.start();
  spdlog::info("framewire {}x{}@{} source={} bitrate={}kbit/s gop={}", cfg.width, cfg.height,
               cfg.fps, cfg.source, cfg.bitrate_kbps, cfg.gop);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("stopping (signal {})", signal_number);
  server.stop();
  media.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (framewire::app::isUserCommand(args)) return framewire::app::runUserCommand(args);
  try {
    return run(args);
  } catch (const framewire::config::ConfigError& e) {
    std::fprintf(stderr, "framewire: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "framewire: %s\n", e.what());
    return 1;
  }
}
