#include "net/tls_cert.hpp"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>

namespace framewire::net {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using FilePtr = std::unique_ptr<FILE, Deleter<std::fclose>>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making the TLS certificate: ") + what);
}

bool isIpAddress(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

void writePem(const std::string& path, mode_t mode, const std::function<bool(FILE*)>& write) {
  const std::string temporary = path + ".tmp";
  const mode_t old_mask = ::umask(077);
  FilePtr file(std::fopen(temporary.c_str(), "wb"));
  ::umask(old_mask);
  if (!file) throw std::runtime_error("cannot write " + temporary);
  const bool ok = write(file.get());
  file.reset();
  if (!ok) throw std::runtime_error("cannot write " + temporary);
  ::chmod(temporary.c_str(), mode);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot replace " + path);
  }
}

}  // namespace

TlsFiles ensureSelfSignedCertificate(const std::string& dir,
                                     const std::vector<std::string>& names) {
  namespace fs = std::filesystem;
  TlsFiles files{(fs::path(dir) / "tls-cert.pem").string(), (fs::path(dir) / "tls-key.pem").string()};
  std::error_code ec;
  if (fs::exists(files.cert_file, ec) && fs::exists(files.key_file, ec)) return files;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create the state directory " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);

  PkeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "key generation failed");
  X509Ptr cert(X509_new());
  require(cert != nullptr, "out of memory");
  require(X509_set_version(cert.get(), 2) == 1, "version");
  unsigned char serial[16];
  require(RAND_bytes(serial, sizeof serial) == 1, "random serial");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  require(bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr,
          "serial");
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // clocks a little apart
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  require(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");

  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("framewire"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("framewire self-signed"), -1,
                             -1, 0);
  require(X509_set_issuer_name(cert.get(), subject) == 1, "issuer");

  std::set<std::string> all{"localhost", "127.0.0.1", "::1"};
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') all.insert(host);
  for (const auto& name : names) {
    if (!name.empty() && name != "0.0.0.0" && name != "::") all.insert(name);
  }
  std::string san;
  for (const auto& name : all) {
    if (!san.empty()) san += ",";
    san += (isIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, std::string> extensions[] = {
      {NID_subject_alt_name, san},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    require(extension != nullptr, "extension");
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  writePem(files.key_file, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  writePem(files.cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()) == 1; });
  return files;
}

std::string certificateFingerprint(const std::string& cert_file) {
  FilePtr file(std::fopen(cert_file.c_str(), "rb"));
  if (!file) return {};
  X509Ptr cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!cert) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) return {};
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    if (i) out += ':';
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace framewire::net
