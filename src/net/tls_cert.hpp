#pragma once
// A self-signed certificate for the TLS listener when none is configured: made once (ECDSA
// P-256, SHA-256, valid 825 days, names in subjectAltName) and kept in the state directory, so
// a browser's exception for it stays valid across restarts. Light header: no OpenSSL here.

#include <string>
#include <vector>

#include "net/stream_relay.hpp"

namespace framewire::net {

// `dir`/tls-cert.pem and `dir`/tls-key.pem, made when either is missing (the directory too,
// mode 0700; the key 0600). `names`: host names and IP addresses for subjectAltName
// (localhost, 127.0.0.1 and ::1 are always added). Throws std::runtime_error.
TlsFiles ensureSelfSignedCertificate(const std::string& dir, const std::vector<std::string>& names);

// "AB:CD:…" SHA-256 fingerprint of a PEM certificate (to compare with what a browser shows).
std::string certificateFingerprint(const std::string& cert_file);

}  // namespace framewire::net
