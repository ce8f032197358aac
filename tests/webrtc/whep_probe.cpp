// fw_whep_probe: a WhepService on a live x264 test picture, without HTTP, for trying real
// WHEP clients by hand (e.g. a browser driven by a script). Reads an SDP offer on stdin up to a
// line "END", prints the answer followed by "END", then prints the service's stats as one JSON
// line per second for <seconds>, DELETEs the peer and exits.
//
//   fw_whep_probe [seconds=10] [interface=127.0.0.1] [WxH@fps=1280x720@60]

#include <gst/gst.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "bus/frame_bus.hpp"
#include "core/log.hpp"
#include "h264_test_source.hpp"
#include "transport/webrtc/whep_service.hpp"

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  spdlog::set_level(spdlog::level::debug);
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  const std::string interface = argc > 2 ? argv[2] : "127.0.0.1";
  int width = 1280, height = 720, fps = 60;
  if (argc > 3) std::sscanf(argv[3], "%dx%d@%d", &width, &height, &fps);

  framewire::bus::FrameBus bus("main");
  framewire::test::H264TestSource source(bus, width, height, fps);
  framewire::transport::webrtc::WebRtcConfig config;
  config.interfaces = {interface};
  framewire::transport::webrtc::WhepService service(
      config, [&](std::string_view b) { return b == "main" ? &bus : nullptr; });

  std::this_thread::sleep_for(std::chrono::seconds(1));  // a server runs before its viewers come
  std::string offer, line;
  while (std::getline(std::cin, line) && line != "END") offer += line + "\n";
  const auto result = service.post("application/sdp", offer, "main", "probe");
  std::cout << result.status << "\n" << result.body << "\nEND" << std::endl;
  if (result.status != 201) return 1;
  const auto location = result.header("Location");
  for (int i = 0; i < seconds; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::cout << service.stats().dump() << std::endl;
  }
  std::cout << "DELETE " << service.remove(location.substr(location.rfind('/') + 1)).status
            << std::endl;
  return 0;
}
