// Who may call the API: users in the store (ops.api_users) with argon2id password hashes
// (libsodium), roles viewer < analyst < admin, HS256 JWTs (libjwt) with issuer and
// expiry, and a limit on failed logins.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "store/store.h"

namespace wf::api {

enum class Role { kViewer = 0, kAnalyst = 1, kAdmin = 2 };
std::optional<Role> parse_role(std::string_view text);
std::string_view role_name(Role role);

// argon2id with libsodium's interactive limits; the string holds salt and parameters.
Result<std::string> hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

struct Claims {
  std::string username;
  Role role = Role::kViewer;
  Instant expires_at = 0;
};

class Tokens {
 public:
  static constexpr size_t kMinSecretBytes = 32;
  // kConfig when the secret is shorter than kMinSecretBytes.
  static Result<Tokens> create(std::string secret, std::string issuer, int64_t ttl_us);

  Result<std::string> issue(const std::string& username, Role role, Instant now,
                            Instant* expires_at) const;
  // kInvalidArgument naming what is wrong: malformed, signature, algorithm, issuer,
  // expired, role.
  Result<Claims> verify(std::string_view token, Instant now) const;

 private:
  std::string secret_;
  std::string issuer_;
  int64_t ttl_us_ = 0;
};

// WALLETFLOW_JWT_SECRET, else the file named by WALLETFLOW_JWT_SECRET_FILE; empty when
// neither is set.
Result<std::string> jwt_secret_from_env();

// The secret in `path`, created (32 random bytes, hex, mode 0600) when missing: for `run`.
Result<std::string> load_or_create_secret_file(const std::string& path);

// Failed logins per key (the username, and the client address): after `max_failures`
// within `window_us`, refused until the window passes.
class LoginLimiter {
 public:
  LoginLimiter(int max_failures = 5, int64_t window_us = 5 * kMicrosPerMinute)
      : max_failures_(max_failures), window_us_(window_us) {}
  bool allowed(const std::string& key, Instant now);
  void failed(const std::string& key, Instant now);
  void succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Instant since = 0;
  };
  int max_failures_;
  int64_t window_us_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

struct ApiUser {
  std::string username;
  Role role = Role::kViewer;
  std::string password_hash;
  bool disabled = false;
};
// Adds or replaces a user (a new password, a new role).
Status put_user(store::Store& store, const std::string& username, Role role,
                std::string_view password, Instant now);
Result<std::optional<ApiUser>> find_user(store::Store& store, const std::string& username);
Result<int64_t> count_users(store::Store& store);
// A random password for a demo account: 16 URL-safe characters.
std::string random_password();

}  // namespace wf::api
