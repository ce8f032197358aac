#include "net/auth/users_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace framewire::net::auth {
namespace {

std::string toHex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

bool isHex64(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A hash of a random password: verifying an unknown user against it costs the same time as
// verifying a known one, so timing does not tell which names exist.
const std::string& dummyHash() {
  static const std::string hash = [] {
    char out[crypto_pwhash_STRBYTES];
    const std::string password = randomToken();
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      throw std::runtime_error("out of memory hashing a password");
    }
    return std::string(out);
  }();
  return hash;
}

bool verifyHash(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace

void initSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool validUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string tokenHash(std::string_view token) {
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return toHex(hash, sizeof hash);
}

std::string randomToken() {
  initSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return toHex(bytes, sizeof bytes);
}

UsersFile UsersFile::parse(std::string_view text, const std::string& origin) {
  UsersFile file;
  int line_number = 0;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& why) {
      throw std::runtime_error(origin + ": line " + std::to_string(line_number) + ": " + why);
    };
    const auto colon = line.find(':');
    if (colon == std::string::npos) fail("expected NAME:HASH");
    const std::string name = line.substr(0, colon);
    const std::string rest = line.substr(colon + 1);
    if (!validUserName(name)) fail("user name must be 1 to 64 of A-Z a-z 0-9 . _ -");
    UserEntry* entry = file.find(name);
    if (!entry) {
      file.users_.push_back(UserEntry{name, {}, {}});
      entry = &file.users_.back();
    }
    if (rest.starts_with("token:")) {
      const std::string hash = rest.substr(6);
      if (!isHex64(hash)) fail("a token line holds 64 lower-case hex digits");
      entry->token_hashes.push_back(hash);
    } else if (rest.starts_with("$argon2id$")) {
      if (!entry->password_hash.empty()) fail("user " + name + " has two passwords");
      entry->password_hash = rest;
    } else {
      fail("not an Argon2id hash (create users with: framewire user add NAME)");
    }
  }
  return file;
}

UsersFile UsersFile::load(const std::string& path, bool missing_ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat info {};
    if (missing_ok && ::stat(path.c_str(), &info) != 0) return UsersFile{};
    throw std::runtime_error("cannot read users file '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::string UsersFile::serialize() const {
  std::string out = "# framewire users (framewire user add|del|token NAME); keep it private\n";
  for (const auto& user : users_) {
    if (!user.password_hash.empty()) out += user.name + ":" + user.password_hash + "\n";
    for (const auto& hash : user.token_hashes) out += user.name + ":token:" + hash + "\n";
  }
  return out;
}

void UsersFile::save(const std::string& path) const {
  const std::string temporary = path + ".tmp";
  {
    const mode_t old_mask = ::umask(077);
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    ::umask(old_mask);
    if (!out) throw std::runtime_error("cannot write '" + temporary + "'");
    out << serialize();
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + temporary + "'");
  }
  ::chmod(temporary.c_str(), 0600);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot replace '" + path + "'");
  }
}

void UsersFile::setPassword(const std::string& name, std::string_view password) {
  initSodium();
  if (!validUserName(name)) {
    throw std::runtime_error("user name must be 1 to 64 of A-Z a-z 0-9 . _ -");
  }
  if (password.empty()) throw std::runtime_error("the password is empty");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory hashing the password");
  }
  UserEntry* entry = find(name);
  if (!entry) {
    users_.push_back(UserEntry{name, {}, {}});
    entry = &users_.back();
  }
  entry->password_hash = hash;
}

bool UsersFile::remove(const std::string& name) {
  const auto before = users_.size();
  std::erase_if(users_, [&](const UserEntry& u) { return u.name == name; });
  return users_.size() != before;
}

std::string UsersFile::addToken(const std::string& name) {
  UserEntry* entry = find(name);
  if (!entry) throw std::runtime_error("no user '" + name + "' (add it first: framewire user add)");
  std::string token = randomToken();
  entry->token_hashes.push_back(tokenHash(token));
  return token;
}

bool UsersFile::verifyPassword(std::string_view name, std::string_view password) const {
  const UserEntry* entry = find(name);
  if (!entry || entry->password_hash.empty()) {
    verifyHash(dummyHash(), password);
    return false;
  }
  return verifyHash(entry->password_hash, password);
}

std::optional<std::string> UsersFile::userForToken(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = tokenHash(token);
  std::optional<std::string> owner;
  // Every stored hash is compared, in constant time each, whatever matches.
  for (const auto& user : users_) {
    for (const auto& stored : user.token_hashes) {
      if (stored.size() == hash.size() && sodium_memcmp(stored.data(), hash.data(), hash.size()) == 0) {
        owner = user.name;
      }
    }
  }
  return owner;
}

UserEntry* UsersFile::find(std::string_view name) {
  for (auto& user : users_) {
    if (user.name == name) return &user;
  }
  return nullptr;
}

const UserEntry* UsersFile::find(std::string_view name) const {
  for (const auto& user : users_) {
    if (user.name == name) return &user;
  }
  return nullptr;
}

}  // namespace framewire::net::auth
