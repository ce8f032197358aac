// The threaded serving path without GStreamer, so ThreadSanitizer sees every lock it runs
// through (scripts/sanitize.sh tsan): the real HttpServer on loopback with two io threads,
// Direct, MJPEG, events and snapshot sessions, the Unix socket and TLS relays, fed by
// publisher threads while clients connect, read and leave, and /api/state-like readers take
// snapshots. Also runs in the normal suite (label "integration").
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bus/frame_bus.hpp"
#include "core/log.hpp"
#include "bus/latest_frame_bus.hpp"
#include "net/http_server.hpp"
#include "net/tls_cert.hpp"
#include "transport/client_registry.hpp"
#include "transport/direct/direct_session.hpp"
#include "transport/events/event_hub.hpp"
#include "transport/events/events_session.hpp"
#include "transport/mjpeg/mjpeg_session.hpp"
#include "transport/mjpeg/snapshot.hpp"

namespace framewire {
namespace {

// spdlog builds its registry at the first log call. framewire's main logs (and sets the level)
// before any thread starts; this binary must too: two io threads logging first at the same
// time raced there under TSan (the registry is built inside the uninstrumented libspdlog).
const bool kLoggingReady = [] {
  spdlog::default_logger();
  return true;
}();

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Access units shaped enough for the Direct session (an IDR or a non-IDR slice).
core::FramePtr h264Frame(bool keyframe, int size) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size), 0x5a);
  const std::uint8_t start[] = {0, 0, 0, 1, static_cast<std::uint8_t>(keyframe ? 0x65 : 0x41)};
  std::copy(std::begin(start), std::end(start), bytes.begin());
  auto frame = core::makeOwnedFrame(bytes, core::Codec::kH264, keyframe);
  auto copy = std::make_shared<core::EncodedFrame>(*frame);
  copy->width = 64;
  copy->height = 48;
  copy->capture_us = copy->encode_start_us = copy->encoded_us = 1;
  return copy;
}

core::FramePtr jpegFrame(int size) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size), 0x11);
  bytes[0] = 0xff, bytes[1] = 0xd8, bytes[size - 2] = 0xff, bytes[size - 1] = 0xd9;
  return core::makeOwnedFrame(bytes, core::Codec::kJpeg, true);
}

// One server with every streaming route, and the threads that feed it.
class Serving {
 public:
  Serving() {
    auto router = std::make_shared<net::Router>();
    router->add({"GET"}, "/ws/direct", [this](const net::HttpRequest&) {
      return net::Reply::handOver([this](std::shared_ptr<net::Handoff> handoff) {
        transport::direct::DirectOptions options;
        options.fps = 200;
        transport::direct::startDirectSession(std::move(handoff), bus, clients, options);
      });
    });
    router->add({"GET"}, "/stream", [this](const net::HttpRequest&) {
      return net::Reply::handOver([this](std::shared_ptr<net::Handoff> handoff) {
        transport::mjpeg::startMjpegSession(std::move(handoff), jpeg, clients);
      });
    });
    router->add({"GET"}, "/snapshot",
                [this](const net::HttpRequest&) { return transport::mjpeg::snapshotReply(jpeg); });
    router->add({"GET"}, "/ws/events", [this](const net::HttpRequest&) {
      return net::Reply::handOver([this](std::shared_ptr<net::Handoff> handoff) {
        transport::events::EventsOptions options;
        options.state = [this] { return stateJson(); };
        transport::events::startEventsSession(std::move(handoff), hub, options);
      });
    });
    router->add({"GET"}, "/api/state", [this](const net::HttpRequest&) {
      net::HttpResponse response;
      response.status = 200;
      response.body = stateJson();
      return net::Reply::now(std::move(response));
    });
    // As in server/event_wiring: client_joined / client_left on the events hub.
    clients.setListener([this](const transport::ClientInfo& client, bool joined) {
      hub.publish({{"type", joined ? "client_joined" : "client_left"}, {"id", client.id}});
    });
    bus.setKeyframeSender([this] { keyframe_wanted = true; });
    server = std::make_unique<net::HttpServer>(router);
    port = server->listen("127.0.0.1", 0);
    socket_path = (std::filesystem::temp_directory_path() /
                   ("fw-session-test-" + std::to_string(::getpid()) + ".sock"))
                      .string();
    server->listenUnix(socket_path);
    const auto dir = std::filesystem::temp_directory_path() /
                     ("fw-session-test-tls-" + std::to_string(::getpid()));
    tls_port = server->listenTls("127.0.0.1", 0, net::ensureSelfSignedCertificate(dir, {}));
    tls_dir = dir;
    server->run(2);
    publishers.emplace_back([this] { publishH264(); });
    publishers.emplace_back([this] { publishJpeg(); });
    publishers.emplace_back([this] { publishEvents(); });
  }

  ~Serving() {
    stopPublishers();
    server->stop();
    std::filesystem::remove(socket_path);
    std::filesystem::remove_all(tls_dir);
  }

  void stopPublishers() {
    running = false;
    for (auto& t : publishers) t.join();
    publishers.clear();
  }

  std::string stateJson() {
    nlohmann::json state;
    state["clients"] = nlohmann::json::array();
    for (const auto& c : clients.snapshot()) {
      state["clients"].push_back({{"id", c.id}, {"mode", c.mode}, {"sent", c.frames_sent}});
    }
    const auto stats = bus.stats();
    state["subscribers"] = stats.subscribers;
    state["published"] = stats.frames_published;
    state["jpeg_watchers"] = jpeg.watcherCount();
    state["events"] = hub.subscriberCount();
    return state.dump();
  }

  bus::FrameBus bus{"main"};
  bus::LatestFrameBus jpeg{"jpeg"};
  transport::events::EventHub hub;
  transport::ClientRegistry clients;
  std::unique_ptr<net::HttpServer> server;
  std::uint16_t port = 0;
  std::uint16_t tls_port = 0;
  std::string socket_path;
  std::filesystem::path tls_dir;
  std::atomic<bool> running{true};
  std::atomic<bool> keyframe_wanted{false};

 private:
  void publishH264() {
    for (int i = 0; running; ++i) {
      const bool key = i % 15 == 0 || keyframe_wanted.exchange(false);
      bus.publish(h264Frame(key, key ? 3000 : 600));
      std::this_thread::sleep_for(4ms);
    }
  }
  void publishJpeg() {
    while (running) {
      jpeg.publish(jpegFrame(2000));
      std::this_thread::sleep_for(6ms);
    }
  }
  void publishEvents() {
    for (int i = 0; running; ++i) {
      hub.publish({{"type", "tick"}, {"i", i}});
      std::this_thread::sleep_for(3ms);
    }
  }

  std::vector<std::thread> publishers;
};

// Direct: the hello, then binary frames; a ping and a keyframe request on the way.
int directViewer(std::uint16_t port, int frames) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  asio::connect(ws.next_layer(), tcp::resolver(io).resolve("127.0.0.1", std::to_string(port)));
  ws.handshake("127.0.0.1", "/ws/direct");
  ws.text(true);
  ws.write(asio::buffer(std::string(R"({"type":"ping","t":1})")));
  ws.write(asio::buffer(std::string(R"({"type":"keyframe"})")));
  int binary = 0;
  bool hello = false;
  beast::flat_buffer buffer;
  while (binary < frames) {
    ws.read(buffer);
    if (ws.got_text()) {
      hello = hello || beast::buffers_to_string(buffer.data()).find("hello") != std::string::npos;
    } else {
      ++binary;
    }
    buffer.consume(buffer.size());
  }
  ws.close(websocket::close_code::normal);
  return hello ? binary : -1;
}

// Events: the hello with the state, then some events.
int eventsViewer(std::uint16_t port, int events) {
  asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  asio::connect(ws.next_layer(), tcp::resolver(io).resolve("127.0.0.1", std::to_string(port)));
  ws.handshake("127.0.0.1", "/ws/events");
  int got = 0;
  beast::flat_buffer buffer;
  while (got < events) {
    ws.read(buffer);
    buffer.consume(buffer.size());
    ++got;
  }
  ws.close(websocket::close_code::normal);
  return got;
}

// An HTTP GET over any connected stream; reads `want` body bytes (0: the whole response)
// and drops the connection.
template <typename Stream>
std::size_t httpGet(Stream& stream, const std::string& target, std::size_t want) {
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // a stream has no end
  http::read_header(stream, buffer, parser);
  if (parser.get().result_int() != 200) return 0;
  std::size_t got = 0;
  char chunk[4096];
  beast::error_code ec;
  while (!parser.is_done() && (want == 0 || got < want)) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    http::read(stream, buffer, parser, ec);
    if (ec && ec != http::error::need_buffer) break;
    got += sizeof chunk - parser.get().body().size;
  }
  return got;
}

std::size_t tcpGet(std::uint16_t port, const std::string& target, std::size_t want) {
  asio::io_context io;
  tcp::socket socket(io);
  asio::connect(socket, tcp::resolver(io).resolve("127.0.0.1", std::to_string(port)));
  return httpGet(socket, target, want);
}

std::size_t unixGet(const std::string& path, const std::string& target) {
  asio::io_context io;
  asio::local::stream_protocol::socket socket(io);
  socket.connect(asio::local::stream_protocol::endpoint(path));
  return httpGet(socket, target, 0);
}

std::size_t tlsGet(std::uint16_t port, const std::string& target, std::size_t want) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_none);  // the test's own self-signed certificate
  beast::ssl_stream<tcp::socket> stream(io, context);
  asio::connect(stream.next_layer(),
                tcp::resolver(io).resolve("127.0.0.1", std::to_string(port)));
  stream.handshake(asio::ssl::stream_base::client);
  return httpGet(stream, target, want);
}

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return predicate();
}

TEST(SessionThreads, ViewersOfEveryModeComeAndGoWhilePublishersRun) {
  Serving serving;
  std::atomic<int> failures{0};
  std::atomic<int> direct_frames{0};
  std::atomic<std::size_t> http_bytes{0};
  std::atomic<int> events{0};
  // Reads the shared state (registry, bus stats, hub) like /api/state does, meanwhile.
  std::atomic<bool> reading{true};
  std::thread reader([&] {
    while (reading) {
      (void)serving.stateJson();
      std::this_thread::sleep_for(2ms);
    }
  });
  auto guarded = [&](auto work) {
    try {
      work();
    } catch (const std::exception& e) {
      ++failures;
      ADD_FAILURE() << e.what();
    }
  };
  std::vector<std::thread> viewers;
  for (int lane = 0; lane < 4; ++lane) {
    viewers.emplace_back([&, lane] {
      for (int i = 0; i < 15; ++i) {
        switch ((lane + i) % 5) {
          case 0: guarded([&] { direct_frames += directViewer(serving.port, 5); }); break;
          case 1: guarded([&] { http_bytes += tcpGet(serving.port, "/stream", 6000); }); break;
          case 2: guarded([&] { events += eventsViewer(serving.port, 4); }); break;
          case 3: guarded([&] { http_bytes += unixGet(serving.socket_path, "/snapshot"); }); break;
          case 4: guarded([&] { http_bytes += tlsGet(serving.tls_port, "/stream", 6000); }); break;
        }
      }
    });
  }
  for (auto& t : viewers) t.join();
  reading = false;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(direct_frames, 0);
  EXPECT_GT(http_bytes, 0u);
  EXPECT_GT(events, 0);
  // Every session left the buses, the hub and the client list.
  EXPECT_TRUE(eventually([&] {
    return serving.bus.subscriberCount() == 0 && serving.jpeg.watcherCount() == 0 &&
           serving.hub.subscriberCount() == 0 && serving.clients.snapshot().empty();
  })) << serving.stateJson();
}

// Stopping the server while viewers are mid-stream and publishers keep waking their sessions
// (the shutdown order the WakeGate and StrandPoster exist for).
TEST(SessionThreads, StopsWhileViewersStreamAndPublishersRun) {
  Serving serving;
  std::vector<std::thread> viewers;
  std::atomic<int> streaming{0};
  for (int i = 0; i < 3; ++i) {
    viewers.emplace_back([&] {
      try {
        ++streaming;
        directViewer(serving.port, 1'000'000);  // until the server goes away
      } catch (const std::exception&) {
      }
    });
    viewers.emplace_back([&] {
      try {
        ++streaming;
        tcpGet(serving.port, "/stream", 0);
      } catch (const std::exception&) {
      }
    });
  }
  ASSERT_TRUE(eventually([&] {
    return serving.bus.subscriberCount() == 3 && serving.jpeg.watcherCount() == 3;
  })) << serving.stateJson();
  serving.server->stop();  // publishers still running
  for (auto& t : viewers) t.join();
  serving.stopPublishers();
  EXPECT_TRUE(eventually([&] { return serving.bus.subscriberCount() == 0; }));
}

}  // namespace
}  // namespace framewire
