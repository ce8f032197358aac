// WebRTC settings: defaults, flags and YAML, and errors that name the key, the value and what
// is valid.
#include <gtest/gtest.h>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config_args.hpp"

namespace framewire::config {
namespace {

using config::test_args::errorOf;
using config::test_args::load;

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(ConfigWebRtcTest, Defaults) {
  const Config c = load({});
  EXPECT_TRUE(c.webrtc.ice_servers.empty());
  EXPECT_TRUE(c.webrtc.interfaces.empty());
  EXPECT_EQ(c.webrtc.udp_port_min, 0);
  EXPECT_EQ(c.webrtc.udp_port_max, 0);
  EXPECT_EQ(c.webrtc.announce, "");
  EXPECT_FALSE(c.webrtc.ice_tcp);
  EXPECT_EQ(c.webrtc.max_peers, 20);
  EXPECT_DOUBLE_EQ(c.webrtc.disconnect_timeout_s, 10);
  EXPECT_DOUBLE_EQ(c.webrtc.connect_timeout_s, 20);
}

TEST(ConfigWebRtcTest, FlagsSetValues) {
  const Config c = load({"--ice-server",
                         "stun:stun.example.org:19302",
                         "--ice-server",
                         "turn:alice:s3cr:et@turn.example.org:3478?transport=udp",
                         "--webrtc-interfaces",
                         "127.0.0.1",
                         "--webrtc-interfaces",
                         "eth0",
                         "--webrtc-udp-ports",
                         "40000-40100",
                         "--webrtc-announce",
                         "203.0.113.7",
                         "--webrtc-ice-tcp",
                         "true",
                         "--webrtc-max-peers",
                         "3",
                         "--webrtc-disconnect-timeout",
                         "2",
                         "--webrtc-connect-timeout",
                         "5.5"});
  ASSERT_EQ(c.webrtc.ice_servers.size(), 2u);
  EXPECT_EQ(c.webrtc.ice_servers[0].url, "stun:stun.example.org:19302");
  EXPECT_EQ(c.webrtc.ice_servers[0].username, "");
  EXPECT_EQ(c.webrtc.ice_servers[1].url, "turn:turn.example.org:3478?transport=udp");
  EXPECT_EQ(c.webrtc.ice_servers[1].username, "alice");
  EXPECT_EQ(c.webrtc.ice_servers[1].credential, "s3cr:et");  // the password may hold ':'
  EXPECT_EQ(c.webrtc.interfaces, (std::vector<std::string>{"127.0.0.1", "eth0"}));
  EXPECT_EQ(c.webrtc.udp_port_min, 40000);
  EXPECT_EQ(c.webrtc.udp_port_max, 40100);
  EXPECT_EQ(c.webrtc.announce, "203.0.113.7");
  EXPECT_TRUE(c.webrtc.ice_tcp);
  EXPECT_EQ(c.webrtc.max_peers, 3);
  EXPECT_DOUBLE_EQ(c.webrtc.disconnect_timeout_s, 2);
  EXPECT_DOUBLE_EQ(c.webrtc.connect_timeout_s, 5.5);
}

TEST(ConfigWebRtcTest, IceServerForms) {
  const Config c = load({"--ice-server", "stun:10.0.0.1", "--ice-server", "stun:[::1]:3479",
                         "--ice-server", "turns:u:p@turn.example.org?transport=tcp"});
  ASSERT_EQ(c.webrtc.ice_servers.size(), 3u);
  EXPECT_EQ(c.webrtc.ice_servers[0].url, "stun:10.0.0.1:3478");  // default port
  EXPECT_EQ(c.webrtc.ice_servers[1].url, "stun:[::1]:3479");
  EXPECT_EQ(c.webrtc.ice_servers[2].url, "turns:turn.example.org:5349?transport=tcp");
}

TEST(ConfigWebRtcTest, YamlListsAndScalars) {
  Config c;
  applyYaml(c,
            "ice-server:\n"
            "  - stun:stun.example.org:3478\n"
            "  - turn:bob:pw@10.1.2.3:3478\n"
            "webrtc_interfaces: lo\n"
            "webrtc-ice-tcp: false\n"
            "webrtc-max-peers: 7\n",
            "test.yaml");
  ASSERT_EQ(c.webrtc.ice_servers.size(), 2u);
  EXPECT_EQ(c.webrtc.ice_servers[1].url, "turn:10.1.2.3:3478");
  EXPECT_EQ(c.webrtc.ice_servers[1].username, "bob");
  EXPECT_EQ(c.webrtc.interfaces, (std::vector<std::string>{"lo"}));
  EXPECT_EQ(c.webrtc.max_peers, 7);
}

TEST(ConfigWebRtcTest, YamlFlowSequence) {
  Config c;
  applyYaml(c, "ice-server: [\"stun:a.example:1\", \"stun:b.example:2\"]\n", "test.yaml");
  EXPECT_EQ(c.webrtc.ice_servers.size(), 2u);
}

TEST(ConfigWebRtcTest, BadIceServersNameKeyValueAndForms) {
  for (const char* bad : {"http://example.org", "stuns:example.org:3478", "turn:example.org:3478",
                          "stun:user:pw@example.org", "turn:u:p@example.org:99999",
                          "turn:u:p@example.org:3478?transport=sctp", "stun:", "turn:u@host",
                          "turns:u:p@host?transport=udp", "stun:bad host"}) {
    const std::string e = errorOf({"--ice-server", bad});
    EXPECT_HAS(e, "--ice-server");
    EXPECT_HAS(e, std::string("'") + bad + "'");
    EXPECT_HAS(e, "stun:HOST[:PORT]");
  }
  EXPECT_HAS(errorOf({"--ice-server", "http://example.org"}), "unknown scheme 'http'");
  EXPECT_HAS(errorOf({"--ice-server", "turn:example.org"}), "needs USER:PASSWORD@");
}

TEST(ConfigWebRtcTest, BadValuesNameKeyValueAndWhatIsValid) {
  std::string e = errorOf({"--webrtc-udp-ports", "5000"});
  EXPECT_HAS(e, "--webrtc-udp-ports");
  EXPECT_HAS(e, "'5000'");
  EXPECT_HAS(e, "MIN-MAX");
  EXPECT_HAS(errorOf({"--webrtc-udp-ports", "6000-5000"}), "MIN <= MAX");
  EXPECT_HAS(errorOf({"--webrtc-udp-ports", "0-70000"}), "'0-70000'");

  e = errorOf({"--webrtc-announce", "my.host"});
  EXPECT_HAS(e, "--webrtc-announce");
  EXPECT_HAS(e, "'my.host'");
  EXPECT_HAS(e, "IPv4 address");

  e = errorOf({"--webrtc-ice-tcp", "maybe"});
  EXPECT_HAS(e, "--webrtc-ice-tcp");
  EXPECT_HAS(e, "true or false");

  e = errorOf({"--webrtc-max-peers", "0"});
  EXPECT_HAS(e, "--webrtc-max-peers");
  EXPECT_HAS(e, "1 to 1000");

  e = errorOf({"--webrtc-disconnect-timeout", "-1"});
  EXPECT_HAS(e, "--webrtc-disconnect-timeout");
  EXPECT_HAS(e, "'-1'");
  EXPECT_HAS(e, "0.5 to 3600");

  e = errorOf({"--webrtc-connect-timeout", "soon"});
  EXPECT_HAS(e, "--webrtc-connect-timeout");
  EXPECT_HAS(e, "1 to 3600");

  e = errorOf({"--webrtc-interfaces", "not an interface!"});
  EXPECT_HAS(e, "--webrtc-interfaces");
  EXPECT_HAS(e, "interface name");
}

TEST(ConfigWebRtcTest, YamlErrorsNameTheFile) {
  Config c;
  try {
    applyYaml(c, "webrtc-max-peers: lots\n", "fw.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string text = e.what();
    EXPECT_HAS(text, "webrtc-max-peers in fw.yaml");
    EXPECT_HAS(text, "'lots'");
  }
}

}  // namespace
}  // namespace framewire::config
