#include "api/auth.h"

#include <fcntl.h>
#include <jwt.h>
#include <simdjson.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/file.h"

namespace wf::api {
namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "analyst") return Role::kAnalyst;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

Result<std::string> hash_password(std::string_view password) {
  if (!sodium_ready()) return make_error(Errc::kCrypto, "libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(Errc::kCrypto, "argon2id: out of memory");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (!sodium_ready()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<Tokens> Tokens::create(std::string secret, std::string issuer, int64_t ttl_us) {
  if (secret.size() < kMinSecretBytes) {
    return make_error(Errc::kConfig, "the JWT secret must be at least " +
                                         std::to_string(kMinSecretBytes) + " bytes");
  }
  Tokens t;
  t.secret_ = std::move(secret);
  t.issuer_ = std::move(issuer);
  t.ttl_us_ = ttl_us;
  return t;
}

Result<std::string> Tokens::issue(const std::string& username, Role role, Instant now,
                                  Instant* expires_at) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return make_error(Errc::kCrypto, "jwt_new failed");
  JwtPtr jwt(raw);
  const Instant exp = now + ttl_us_;
  const long iat = static_cast<long>(now / kMicrosPerSecond);
  if (jwt_add_grant(jwt.get(), "iss", issuer_.c_str()) != 0 ||
      jwt_add_grant(jwt.get(), "sub", username.c_str()) != 0 ||
      jwt_add_grant(jwt.get(), "role", std::string(role_name(role)).c_str()) != 0 ||
      jwt_add_grant_int(jwt.get(), "iat", iat) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(exp / kMicrosPerSecond)) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) != 0) {
    return make_error(Errc::kCrypto, "cannot build the token");
  }
  char* text = jwt_encode_str(jwt.get());
  if (text == nullptr) return make_error(Errc::kCrypto, "cannot sign the token");
  std::string token(text);
  free(text);
  *expires_at = exp / kMicrosPerSecond * kMicrosPerSecond;
  return token;
}

Result<Claims> Tokens::verify(std::string_view token, Instant now) const {
  auto bad = [](const std::string& why) { return make_error(Errc::kInvalidArgument, why); };
  if (token.empty() || token.size() > 4096) return bad("malformed token");
  // Only HS256 is accepted: the header is checked before libjwt sees the token, so a
  // token claiming "none" (or any other algorithm) never gets to verification.
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 512) return bad("malformed token");
  if (!sodium_ready()) return make_error(Errc::kCrypto, "libsodium failed to initialise");
  unsigned char header[400];
  size_t header_len = 0;
  if (sodium_base642bin(header, sizeof header, token.data(), dot, nullptr, &header_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad("malformed token header");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element h;
  std::string_view alg;
  if (parser.parse(reinterpret_cast<const char*>(header), header_len).get(h) || h["alg"].get(alg) ||
      alg != "HS256") {
    return bad("algorithm must be HS256");
  }
  const std::string token_text(token);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token_text.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0 ||
      raw == nullptr) {
    return bad("invalid signature or malformed token");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return bad("algorithm must be HS256");
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (iss == nullptr || issuer_ != iss) return bad("wrong issuer");
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= 0) return bad("no expiry");
  if (int64_t{exp} * kMicrosPerSecond <= now) return bad("token expired");
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  const char* role = jwt_get_grant(jwt.get(), "role");
  auto r = role ? parse_role(role) : std::nullopt;
  if (sub == nullptr || !r) return bad("token without a user or role");
  return Claims{sub, *r, int64_t{exp} * kMicrosPerSecond};
}

Result<std::string> jwt_secret_from_env() {
  if (const char* s = std::getenv("WALLETFLOW_JWT_SECRET"); s != nullptr && *s)
    return std::string(s);
  if (const char* f = std::getenv("WALLETFLOW_JWT_SECRET_FILE"); f != nullptr && *f) {
    auto read = read_file(f, "WALLETFLOW_JWT_SECRET_FILE", Errc::kConfig);
    if (!read.ok()) return read.take_error();
    std::string secret = std::move(*read);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    return secret;
  }
  return std::string();
}

Result<std::string> load_or_create_secret_file(const std::string& path) {
  if (!sodium_ready()) return make_error(Errc::kCrypto, "libsodium failed to initialise");
  if (::access(path.c_str(), F_OK) != 0) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return make_error(Errc::kIo, "cannot create '" + path + "': " + std::strerror(errno));
    }
    const bool ok = ::write(fd, hex, 64) == 64;
    ::close(fd);
    if (!ok) return make_error(Errc::kIo, "cannot write '" + path + "'");
  }
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

std::string random_password() {
  (void)sodium_ready();
  unsigned char raw[12];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(12, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

bool LoginLimiter::allowed(const std::string& key, Instant now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  if (now - it->second.since > window_us_) {
    entries_.erase(it);
    return true;
  }
  return it->second.failures < max_failures_;
}

void LoginLimiter::failed(const std::string& key, Instant now) {
  std::lock_guard lock(mu_);
  if (entries_.size() > 100'000) entries_.clear();  // bounded under a spray of names
  Entry& e = entries_[key];
  if (e.failures == 0 || now - e.since > window_us_) {
    e.failures = 0;
    e.since = now;
  }
  ++e.failures;
}

void LoginLimiter::succeeded(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

Status put_user(store::Store& store, const std::string& username, Role role,
                std::string_view password, Instant now) {
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.error();
  const std::string table = store::table_name(store.kind(), "api_users");
  auto n = store.execute(
      "UPDATE " + table + " SET role = $1, password_hash = $2, disabled = $3 WHERE username = $4",
      {std::string(role_name(role)), *hash,
       std::string(store.kind() == "postgresql" ? "false" : "0"), username});
  if (!n.ok()) return n.error();
  if (*n > 0) return Status::Ok();
  auto added =
      store.execute("INSERT INTO " + table +
                        " (username, role, password_hash, created_at) VALUES ($1, $2, $3, $4)",
                    {username, std::string(role_name(role)), *hash, format_utc(now)});
  if (!added.ok()) return added.error();
  return Status::Ok();
}

Result<int64_t> count_users(store::Store& store) {
  auto n = store::query_int(store,
                            "SELECT COUNT(*) FROM " + store::table_name(store.kind(), "api_users"));
  if (!n.ok()) return n.take_error();
  return n->value_or(0);
}

Result<std::optional<ApiUser>> find_user(store::Store& store, const std::string& username) {
  std::optional<ApiUser> user;
  Status s =
      store.query_text("SELECT username, role, password_hash, disabled FROM " +
                           store::table_name(store.kind(), "api_users") + " WHERE username = $1",
                       {username}, [&](const std::vector<std::string_view>& r) {
                         ApiUser u;
                         u.username = std::string(r[0]);
                         u.role = parse_role(r[1]).value_or(Role::kViewer);
                         u.password_hash = std::string(r[2]);
                         u.disabled = r[3] == "1" || r[3] == "t";
                         user = std::move(u);
                       });
  if (!s.ok()) return s.error();
  return user;
}

}  // namespace wf::api
