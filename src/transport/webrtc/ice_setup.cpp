#include "transport/webrtc/ice_setup.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <nice/agent.h>

#include <cctype>
#include <cstdio>

#include "transport/webrtc/gst_ref.hpp"

namespace framewire::transport::webrtc {
namespace {

bool isIpLiteral(const std::string& text) {
  in6_addr buf;
  return inet_pton(AF_INET, text.c_str(), &buf) == 1 ||
         inet_pton(AF_INET6, text.c_str(), &buf) == 1;
}

// The addresses of a network interface by name ("eth0"), IPv4 and IPv6 (not link-local).
std::vector<std::string> interfaceAddresses(const std::string& name) {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (auto* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || name != it->ifa_name) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(it->ifa_addr)->sin_addr, text,
                sizeof text);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* a6 = &reinterpret_cast<sockaddr_in6*>(it->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(a6)) continue;
      inet_ntop(AF_INET6, a6, text, sizeof text);
    } else {
      continue;
    }
    out.emplace_back(text);
  }
  freeifaddrs(list);
  return out;
}

std::string percentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// "turn:host:port?transport=udp" + credentials → "turn://user:pass@host:port?transport=udp"
// (the form webrtcbin parses). "stun:host:port" → "stun://host:port".
std::string gstServerUri(const IceServer& server) {
  const auto colon = server.url.find(':');
  if (colon == std::string::npos) return {};
  const auto scheme = server.url.substr(0, colon);
  const auto rest = server.url.substr(colon + 1);
  if (scheme == "stun") return "stun://" + rest;
  if (scheme == "turn" || scheme == "turns") {
    return scheme + "://" + percentEncode(server.username) + ":" +
           percentEncode(server.credential) + "@" + rest;
  }
  return {};
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<std::string> configureIce(GstElement* webrtcbin, const WebRtcConfig& config) {
  std::vector<std::string> warnings;
  GstObject* ice_raw = nullptr;
  g_object_get(webrtcbin, "ice-agent", &ice_raw, nullptr);
  std::unique_ptr<GstObject, GstObjectUnref> ice(ice_raw);
  if (ice) {
    if (config.udp_port_min > 0 || config.udp_port_max > 0) {
      const guint max = config.udp_port_max > 0 ? config.udp_port_max : 65535;
      // Raise max first: the agent refuses a min above the current max.
      g_object_set(ice.get(), "max-rtp-port", max, "min-rtp-port",
                   static_cast<guint>(config.udp_port_min), nullptr);
    }
    g_object_set(ice.get(), "ice-udp", static_cast<gboolean>(config.ice_udp), "ice-tcp",
                 static_cast<gboolean>(config.ice_tcp), nullptr);
    NiceAgent* agent_raw = nullptr;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent")) {
      g_object_get(ice.get(), "agent", &agent_raw, nullptr);
    }
    std::unique_ptr<NiceAgent, GObjectUnref> agent(agent_raw);
    if (agent && !config.interfaces.empty()) {
      // Once one local address is added, libnice gathers on those only (and allows loopback).
      for (const auto& entry : config.interfaces) {
        std::vector<std::string> addresses;
        if (isIpLiteral(entry)) {
          addresses.push_back(entry);
        } else {
          addresses = interfaceAddresses(entry);
          if (addresses.empty()) warnings.push_back("interface " + entry + " has no address");
        }
        for (const auto& address : addresses) {
          NiceAddress* nice_address = nice_address_new();
          if (nice_address_set_from_string(nice_address, address.c_str())) {
            nice_agent_add_local_address(agent.get(), nice_address);
          } else {
            warnings.push_back("cannot use address " + address);
          }
          nice_address_free(nice_address);
        }
      }
    } else if (!agent && !config.interfaces.empty()) {
      warnings.push_back("the ICE agent exposes no libnice agent: interfaces ignored");
    }
  }
  bool stun_set = false;
  for (const auto& server : config.ice_servers) {
    const auto uri = gstServerUri(server);
    if (uri.empty()) {
      warnings.push_back("unusable ICE server URL " + server.url);
    } else if (uri.starts_with("stun://")) {
      if (stun_set) continue;  // webrtcbin takes one STUN server
      g_object_set(webrtcbin, "stun-server", uri.c_str(), nullptr);
      stun_set = true;
    } else {
      gboolean added = FALSE;
      g_signal_emit_by_name(webrtcbin, "add-turn-server", uri.c_str(), &added);
      if (!added) warnings.push_back("webrtcbin refused TURN server " + server.url);
    }
  }
  return warnings;
}

std::vector<std::string> iceServerLinks(const WebRtcConfig& config) {
  std::vector<std::string> links;
  for (const auto& server : config.ice_servers) {
    std::string link = "<" + server.url + ">; rel=\"ice-server\"";
    if (!server.username.empty()) {
      link += "; username=" + quoted(server.username) +
              "; credential=" + quoted(server.credential) + "; credential-type=\"password\"";
    }
    links.push_back(std::move(link));
  }
  return links;
}

}  // namespace framewire::transport::webrtc
