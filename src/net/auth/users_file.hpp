#pragma once
// The users file: one user per line, "NAME:ARGON2ID_HASH" (libsodium crypto_pwhash_str), and
// access tokens as "NAME:token:BLAKE2B_HEX" (only the token's hash is kept). Lines starting
// with '#' and blank lines are ignored. `framewire user add|del|token` edits it.
//
// Threads: a UsersFile is a plain value; Authenticator guards the one it serves from.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace framewire::net::auth {

struct UserEntry {
  std::string name;
  std::string password_hash;             // "$argon2id$..."; empty: token-only user
  std::vector<std::string> token_hashes;  // hex BLAKE2b-256 of each token
};

class UsersFile {
 public:
  // Throws std::runtime_error "ORIGIN: line N: reason".
  static UsersFile parse(std::string_view text, const std::string& origin);
  // A missing file reads as empty when `missing_ok`; otherwise throws.
  static UsersFile load(const std::string& path, bool missing_ok = false);
  std::string serialize() const;
  // Writes atomically (temporary file + rename), readable by its owner only.
  void save(const std::string& path) const;

  // Slow on purpose (Argon2id, interactive limits). Adds the user or replaces the password.
  void setPassword(const std::string& name, std::string_view password);
  bool remove(const std::string& name);
  // A new random token for `name` (who must exist); returns the token, keeps only its hash.
  std::string addToken(const std::string& name);

  // Constant-time where it matters: an unknown user still costs one full hash check.
  bool verifyPassword(std::string_view name, std::string_view password) const;
  // The user owning this token, or nothing.
  std::optional<std::string> userForToken(std::string_view token) const;

  const std::vector<UserEntry>& users() const { return users_; }
  bool empty() const { return users_.empty(); }

 private:
  UserEntry* find(std::string_view name);
  const UserEntry* find(std::string_view name) const;
  std::vector<UserEntry> users_;
};

// "alice", "ops-1", "kvm.admin": 1 to 64 of [A-Za-z0-9._-].
bool validUserName(std::string_view name);

// Hex BLAKE2b-256 of a token (how tokens are stored and looked up).
std::string tokenHash(std::string_view token);
// 32 random bytes as 64 hex characters.
std::string randomToken();
// Initialises libsodium once; throws when it cannot.
void initSodium();

}  // namespace framewire::net::auth
