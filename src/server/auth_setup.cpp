#include "server/auth_setup.hpp"

#include "config/config_error.hpp"
#include "core/log.hpp"
#include "net/tls_cert.hpp"
#include "server/viewer_limits.hpp"

namespace framewire::server {
namespace {

std::shared_ptr<net::auth::Authenticator> makeAuthenticator(const config::Config& config) {
  const auto& security = config.security;
  if (security.users_file.empty()) return nullptr;
  net::auth::AuthOptions options;
  options.users_file = security.users_file;
  options.fail_delay = std::chrono::milliseconds(security.auth_fail_delay_ms);
  options.fail_limit = security.auth_fail_limit;
  options.fail_window = std::chrono::seconds(security.auth_fail_window_s);
  options.session_ttl =
      std::chrono::seconds(static_cast<long long>(security.session_hours * 3600));
  options.secure_cookies = security.tls;
  try {
    return std::make_shared<net::auth::Authenticator>(options);
  } catch (const std::exception& e) {
    throw config::ConfigError(e.what());
  }
}

}  // namespace

net::TlsFiles tlsFilesFor(const config::Config& config) {
  const auto& security = config.security;
  if (!security.tls_cert.empty()) return net::TlsFiles{security.tls_cert, security.tls_key};
  const std::string dir = config::stateDirectory(security);
  try {
    auto files = net::ensureSelfSignedCertificate(dir, {config.listen_host});
    spdlog::info("TLS: self-signed certificate {} (SHA-256 {})", files.cert_file,
                 net::certificateFingerprint(files.cert_file));
    return files;
  } catch (const std::exception& e) {
    throw config::ConfigError(std::string("tls: ") + e.what());
  }
}

std::shared_ptr<net::auth::Authenticator> installGuards(const config::Config& config,
                                                        net::Router& router,
                                                        ViewerLimits& limits) {
  auto auth = makeAuthenticator(config);
  if (auth) {
    auth->addRoutes(router);
    spdlog::info("login required (users file {})", config.security.users_file);
  }
  router.setGuard([auth, &limits](net::HttpRequest& request) -> std::optional<net::Reply> {
    if (auth) {
      if (auto refused = auth->guard(request)) return refused;
    }
    return limits.check(request);
  });
  return auth;
}

}  // namespace framewire::server
