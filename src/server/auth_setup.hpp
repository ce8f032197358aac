#pragma once
// What every request passes before its route: the login (when a users file is configured),
// then the viewer limits.

#include <memory>

#include "config/config.hpp"
#include "net/auth/authenticator.hpp"
#include "net/router.hpp"
#include "net/stream_relay.hpp"

namespace framewire::server {

class ViewerLimits;

// The TLS listener's certificate: tls-cert/tls-key, or the self-signed one in the state
// directory (made on first use; its fingerprint is logged). Throws config::ConfigError.
net::TlsFiles tlsFilesFor(const config::Config& config);

// Sets the router's guard: the login first (when config.security.users_file is set: also adds
// /api/login and /api/logout), then `limits`. Returns the authenticator, null without login.
// Throws config::ConfigError when the users file is unreadable or holds no user. `limits`
// must outlive the router.
std::shared_ptr<net::auth::Authenticator> installGuards(const config::Config& config,
                                                        net::Router& router,
                                                        ViewerLimits& limits);

}  // namespace framewire::server
