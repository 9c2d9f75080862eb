// PII protection: phone numbers and IP addresses are stored only as HMAC-SHA256 under a
// secret key (a plain SHA-256 of a phone number is reversed by enumerating the ~10^10
// numbers). The key comes from WALLETFLOW_PII_KEY, a key file, or (for the demo `run`)
// a generated file of mode 0600; never from the repository. Immutable after creation;
// hash() may be called from any thread.
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/arena.h"
#include "core/result.h"

namespace wf::pipeline {

inline constexpr size_t kHashHexChars = 64;
inline constexpr size_t kMinKeyBytes = 16;

class PiiProtector {
 public:
  // kConfig when the key is shorter than kMinKeyBytes.
  static Result<PiiProtector> from_key(std::string_view key);
  // Reads the key from WALLETFLOW_PII_KEY, else from the file named by `key_file` (or
  // WALLETFLOW_PII_KEY_FILE). kConfig with a message saying how to provide one.
  static Result<PiiProtector> from_environment(const std::string& key_file);
  // Returns the key file at `path`, creating it with a random key (mode 0600) if missing.
  static Result<PiiProtector> load_or_create_key_file(const std::string& path);

  // HMAC-SHA256 of `value` as 64 lower-case hex chars written to `out`.
  void hash(std::string_view value, char* out) const;
  // The same, as the 32-byte digest.
  void digest(std::string_view value, unsigned char* out) const;
  static void to_hex(const unsigned char* digest, char* out);
  std::string hash(std::string_view value) const;
  // Phone numbers are normalised first ("09171234567", "+63 917 123 4567" and
  // "639171234567" hash alike); returns false (and writes nothing) for empty input.
  bool hash_phone(std::string_view phone, char* out) const;
  bool digest_phone(std::string_view phone, unsigned char* out) const;

  // Replaces PII in a raw record before it is stored as a dead letter: the values of
  // "phone_number" and "ip_address" become their hashes, and digit runs that look like
  // Philippine mobile numbers are masked. Returns a view into `arena`.
  std::string_view redact(std::string_view raw, Arena* arena) const;

 private:
  PiiProtector() = default;
  SHA256_CTX inner_;
  SHA256_CTX outer_;
};

}  // namespace wf::pipeline
