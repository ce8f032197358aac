// WhepService end to end without HTTP: a real x264 encode feeds a FrameBus, a second
// webrtcbin plays the browser on loopback, and decodes what the service sends.

#include "transport/webrtc/whep_service.hpp"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "../unit/sdp_chromium_offers.hpp"
#include "bus/frame_bus.hpp"
#include "core/clock.hpp"
#include "h264_test_source.hpp"
#include "transport/webrtc/sdp_session.hpp"
#include "webrtc_test_client.hpp"

namespace framewire::transport::webrtc {
namespace {

bool waitUntil(int timeout_ms, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string resourceId(const WhepResult& r) {
  const auto location = r.header("Location");
  return location.substr(location.rfind('/') + 1);
}

class WhepServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }

  WebRtcConfig config() {
    WebRtcConfig c;
    c.interfaces = {"127.0.0.1"};
    c.stats_interval_ms = 200;
    return c;
  }
  std::unique_ptr<WhepService> makeService(WebRtcConfig c) {
    return std::make_unique<WhepService>(
        c, [this](std::string_view branch) { return branch == "main" ? &bus_ : nullptr; });
  }

  bus::FrameBus bus_{"main"};
};

TEST_F(WhepServiceTest, ClientDecodesKeyframeOnPliAndDeleteFreesThePeer) {
  test::H264TestSource source(bus_);
  auto service = makeService(config());
  test::WebRtcTestClient client(/*with_audio=*/false);

  const auto offer = client.createOffer();
  std::printf("[ offer ]\n%s\n", offer.c_str());
  const auto t0 = core::steadyMicros();
  const auto result = service->post("application/sdp", offer, "main", "127.0.0.1:5000");
  const auto answer_ms = (core::steadyMicros() - t0) / 1000;
  ASSERT_EQ(result.status, 201) << result.body;
  EXPECT_EQ(result.header("Content-Type"), "application/sdp");
  EXPECT_EQ(result.header("Location").rfind("/whep/", 0), 0u);
  EXPECT_FALSE(result.header("ETag").empty());
  std::printf("[ answer ]\n%s\n", result.body.c_str());

  // The answer keeps the offer's shape: audio rejected, video sendonly with our candidates.
  auto parsed = parseSdp(result.body);
  ASSERT_TRUE(parsed.description) << parsed.error << "\n" << result.body;
  ASSERT_EQ(parsed.description->media.size(), 1u) << result.body;
  const auto& video = parsed.description->media[0];
  EXPECT_EQ(video.direction, "sendonly") << result.body;
  EXPECT_EQ(video.formats.front(), "108") << result.body;  // the exact profile, not 102
  EXPECT_NE(result.body.find("a=candidate:"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("127.0.0.1"), std::string::npos) << result.body;

  ASSERT_TRUE(client.setAnswer(result.body)) << result.body;
  client.waitForGathering(2000);
  const auto id = resourceId(result);
  const auto etag = result.header("ETag");
  EXPECT_EQ(service->patch(id, "application/trickle-ice-sdpfrag", client.candidateFragment(), etag)
                .status,
            204);

  ASSERT_TRUE(client.waitForFrames(30, 10000)) << "decoded " << client.framesDecoded();
  const auto first_frame_ms = (core::steadyMicros() - t0) / 1000;
  std::printf("[ measure ] answer in %lld ms, 30 frames decoded %lld ms after POST\n",
              static_cast<long long>(answer_ms), static_cast<long long>(first_frame_ms));
  EXPECT_EQ(bus_.subscriberCount(), 1u);

  // A PLI from the client becomes a keyframe request at the encoder.
  const auto requested = source.keyframesRequested();
  const auto keyframes = source.keyframesProduced();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the gate's interval
  client.requestKeyframe();
  EXPECT_TRUE(waitUntil(3000, [&] { return source.keyframesRequested() > requested; }));
  EXPECT_TRUE(waitUntil(3000, [&] { return source.keyframesProduced() > keyframes; }));
  const auto decoded = client.framesDecoded();
  EXPECT_TRUE(client.waitForFrames(decoded + 10, 3000));

  // Stats show the peer and its traffic.
  ASSERT_TRUE(waitUntil(2000, [&] {
    const auto stats = service->stats();
    return stats["peers"].size() == 1 && stats["peers"][0]["bytes_sent"].get<std::uint64_t>() > 0;
  }));
  const auto stats = service->stats()["peers"][0];
  std::printf("[ measure ] stats: %s\n", stats.dump().c_str());
  EXPECT_EQ(stats["id"], id);
  EXPECT_EQ(stats["state"], "connected");
  EXPECT_GE(stats["keyframe_requests"].get<int>(), 1);

  EXPECT_EQ(service->remove(id).status, 200);
  EXPECT_EQ(service->peerCount(), 0u);
  EXPECT_EQ(bus_.subscriberCount(), 0u);
  EXPECT_EQ(service->remove(id).status, 404);
  EXPECT_EQ(service->patch(id, "application/trickle-ice-sdpfrag", "", "").status, 404);
}

TEST_F(WhepServiceTest, VanishedClientIsReaped) {
  test::H264TestSource source(bus_);
  auto c = config();
  c.rtcp_timeout_ms = 2500;
  c.disconnect_timeout_ms = 2000;
  auto service = makeService(c);
  test::WebRtcTestClient client;
  const auto result = service->post("application/sdp", client.createOffer(), "", "127.0.0.1");
  ASSERT_EQ(result.status, 201) << result.body;
  ASSERT_TRUE(client.setAnswer(result.body));
  ASSERT_TRUE(client.waitForFrames(5, 10000));
  client.stop();  // no DELETE
  EXPECT_TRUE(waitUntil(8000, [&] { return service->peerCount() == 0; }));
  EXPECT_EQ(bus_.subscriberCount(), 0u);
}

TEST_F(WhepServiceTest, ChromiumOfferIsAnsweredWithAudioRejected) {
  test::H264TestSource source(bus_);
  auto service = makeService(config());
  const auto result =
      service->post("application/sdp", test::kChromiumAudioVideoOffer, "main", "127.0.0.1");
  ASSERT_EQ(result.status, 201) << result.body;
  auto parsed = parseSdp(result.body);
  ASSERT_TRUE(parsed.description) << parsed.error;
  const auto& d = *parsed.description;
  ASSERT_EQ(d.media.size(), 2u);
  EXPECT_EQ(d.media[0].port, 0);
  EXPECT_EQ(d.media[0].mid, "0");
  EXPECT_EQ(d.media[1].mid, "1");
  EXPECT_EQ(d.media[1].direction, "sendonly");
  EXPECT_EQ(d.media[1].formats, (std::vector<std::string>{"108", "109"}));  // H.264 + its RTX
  EXPECT_EQ(d.media[1].fmtps.at(108),
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(d.bundleMids(), (std::vector<std::string>{"1"}));
  EXPECT_TRUE(d.media[1].attribute("candidate"));
  EXPECT_EQ(service->remove(resourceId(result)).status, 200);
}

TEST_F(WhepServiceTest, ThreePeersShareOneEncode) {
  test::H264TestSource source(bus_);
  auto service = makeService(config());
  std::vector<std::unique_ptr<test::WebRtcTestClient>> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<test::WebRtcTestClient>());
    const auto r = service->post("application/sdp", clients.back()->createOffer(), "main", "x");
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_TRUE(clients.back()->setAnswer(r.body));
    ids.push_back(resourceId(r));
  }
  for (auto& client : clients) EXPECT_TRUE(client->waitForFrames(20, 10000));
  EXPECT_EQ(bus_.subscriberCount(), 3u);
  EXPECT_EQ(service->stats()["peers"].size(), 3u);
  for (const auto& id : ids) EXPECT_EQ(service->remove(id).status, 200);
  EXPECT_EQ(bus_.subscriberCount(), 0u);
}

std::size_t countEntries(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// Connect / DELETE cycles leave no peer, subscription, thread or descriptor behind. GLib
// keeps a few idle pool threads around, so a small constant slack is allowed, not growth.
TEST_F(WhepServiceTest, CyclesLeaveNothingBehind) {
  test::H264TestSource source(bus_);
  auto service = makeService(config());
  auto cycle = [&] {
    test::WebRtcTestClient client;
    const auto r = service->post("application/sdp", client.createOffer(), "main", "x");
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_TRUE(client.setAnswer(r.body));
    ASSERT_TRUE(client.waitForFrames(3, 10000));
    ASSERT_EQ(service->remove(resourceId(r)).status, 200);
  };
  cycle();  // warm-up: process-wide pools and caches
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto threads = countEntries("/proc/self/task");
  const auto fds = countEntries("/proc/self/fd");
  for (int i = 0; i < 8; ++i) cycle();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto threads_after = countEntries("/proc/self/task");
  const auto fds_after = countEntries("/proc/self/fd");
  std::printf("[ measure ] threads %zu -> %zu, fds %zu -> %zu after 8 cycles\n", threads,
              threads_after, fds, fds_after);
  EXPECT_EQ(service->peerCount(), 0u);
  EXPECT_EQ(bus_.subscriberCount(), 0u);
  EXPECT_LE(threads_after, threads + 4);
  EXPECT_LE(fds_after, fds + 2);
}

TEST_F(WhepServiceTest, BadInputGetsItsStatusAndReason) {
  auto service = makeService(config());
  test::WebRtcTestClient client;
  const auto offer = client.createOffer();

  auto r = service->post("text/plain", offer, "main", "x");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("application/sdp"), std::string::npos);

  r = service->post("application/sdp", "hello", "main", "x");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed SDP"), std::string::npos) << r.body;

  r = service->post("application/sdp", offer.substr(0, offer.find("m=video") + 10), "main", "x");
  EXPECT_EQ(r.status, 400) << r.body;

  r = service->post("application/sdp", offer, "nope", "x");
  EXPECT_EQ(r.status, 404);

  std::string vp8_only = offer;
  for (auto pos = vp8_only.find("H264"); pos != std::string::npos; pos = vp8_only.find("H264"))
    vp8_only.replace(pos, 4, "XVID");
  r = service->post("application/sdp", vp8_only, "main", "x");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("no common video codec"), std::string::npos) << r.body;

  r = service->post("application/sdp; charset=utf-8", std::string(70000, 'v'), "main", "x");
  EXPECT_EQ(r.status, 413);

  EXPECT_EQ(service->remove("unknown").status, 404);
  EXPECT_EQ(service->patch("unknown", "application/trickle-ice-sdpfrag", "", "").status, 404);
  EXPECT_EQ(service->peerCount(), 0u);

  auto limited_config = config();
  limited_config.max_peers = 0;
  auto limited = makeService(limited_config);
  r = limited->post("application/sdp", offer, "main", "x");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("too many peers"), std::string::npos);
}

}  // namespace
}  // namespace framewire::transport::webrtc
