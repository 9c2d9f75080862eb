#include "pipeline/pii_protector.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#if defined(__SSSE3__)
#include <tmmintrin.h>
#endif
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/file.h"

namespace wf::pipeline {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<std::string> read_key_file(const std::string& path) {
  auto key = read_file(path, "PII key file", Errc::kConfig);
  if (!key.ok()) return key.take_error();
  return trim(std::move(*key));
}

}  // namespace

Result<PiiProtector> PiiProtector::from_key(std::string_view key) {
  if (key.size() < kMinKeyBytes) {
    return make_error(Errc::kConfig, "the PII key must be at least " +
                                         std::to_string(kMinKeyBytes) + " bytes long");
  }
  // HMAC (RFC 2104) with the ipad/opad blocks absorbed once: each hash then costs two
  // SHA-256 finalisations of short input.
  unsigned char block[SHA256_CBLOCK] = {};
  if (key.size() > SHA256_CBLOCK) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  PiiProtector p;
  for (int i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&p.inner_);
  SHA256_Update(&p.inner_, pad, SHA256_CBLOCK);
  for (int i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&p.outer_);
  SHA256_Update(&p.outer_, pad, SHA256_CBLOCK);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  return p;
}

Result<PiiProtector> PiiProtector::from_environment(const std::string& key_file) {
  if (const char* key = std::getenv("WALLETFLOW_PII_KEY"); key != nullptr && *key != '\0') {
    return from_key(key);
  }
  std::string file = key_file;
  if (file.empty()) {
    if (const char* f = std::getenv("WALLETFLOW_PII_KEY_FILE"); f != nullptr) file = f;
  }
  if (file.empty()) {
    return make_error(Errc::kConfig,
                      "no PII key: set WALLETFLOW_PII_KEY, or WALLETFLOW_PII_KEY_FILE / "
                      "--pii-key-file to a file holding at least 16 secret bytes");
  }
  auto key = read_key_file(file);
  if (!key.ok()) return key.take_error();
  return from_key(*key);
}

Result<PiiProtector> PiiProtector::load_or_create_key_file(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) {
      return make_error(Errc::kCrypto, "cannot generate a random PII key");
    }
    char hex[64];
    to_hex(raw, hex);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return make_error(Errc::kIo,
                        "cannot create key file '" + path + "': " + std::strerror(errno));
    }
    bool ok = ::write(fd, hex, sizeof hex) == static_cast<ssize_t>(sizeof hex);
    ::close(fd);
    if (!ok) return make_error(Errc::kIo, "cannot write key file '" + path + "'");
  }
  auto key = read_key_file(path);
  if (!key.ok()) return key.take_error();
  return from_key(*key);
}

void PiiProtector::digest(std::string_view value, unsigned char* out) const {
  SHA256_CTX ctx = inner_;
  SHA256_Update(&ctx, value.data(), value.size());
  SHA256_Final(out, &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, out, SHA256_DIGEST_LENGTH);
  SHA256_Final(out, &ctx);
}

void PiiProtector::to_hex(const unsigned char* digest, char* out) {
#if defined(__SSSE3__)
  // 16 bytes at a time: split nibbles, map them through a 16-entry shuffle table.
  const __m128i lut =
      _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
  const __m128i mask = _mm_set1_epi8(0x0f);
  for (int half = 0; half < 2; ++half) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(digest + 16 * half));
    __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
    __m128i lo = _mm_and_si128(bytes, mask);
    __m128i first = _mm_shuffle_epi8(lut, _mm_unpacklo_epi8(hi, lo));
    __m128i second = _mm_shuffle_epi8(lut, _mm_unpackhi_epi8(hi, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * half), first);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32 * half + 16), second);
  }
  return;
#endif
  // Two hex digits per table entry: one lookup and one 2-byte store per byte.
  static const auto kPairs = [] {
    std::array<char, 512> pairs{};
    for (int b = 0; b < 256; ++b) {
      pairs[2 * b] = kHex[b >> 4];
      pairs[2 * b + 1] = kHex[b & 15];
    }
    return pairs;
  }();
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    std::memcpy(out + 2 * i, kPairs.data() + 2 * digest[i], 2);
  }
}

void PiiProtector::hash(std::string_view value, char* out) const {
  unsigned char d[SHA256_DIGEST_LENGTH];
  digest(value, d);
  to_hex(d, out);
}

std::string PiiProtector::hash(std::string_view value) const {
  std::string out(kHashHexChars, '\0');
  hash(value, out.data());
  return out;
}

bool PiiProtector::hash_phone(std::string_view phone, char* out) const {
  unsigned char d[SHA256_DIGEST_LENGTH];
  if (!digest_phone(phone, d)) return false;
  to_hex(d, out);
  return true;
}

bool PiiProtector::digest_phone(std::string_view phone, unsigned char* out) const {
  char digits[32];
  size_t n = 0;
  for (char c : phone) {
    if (c >= '0' && c <= '9' && n < sizeof digits) digits[n++] = c;
  }
  if (n == 0) return false;
  // E.164 for the Philippines: 09XXXXXXXXX and 9XXXXXXXXX become 639XXXXXXXXX.
  char normal[34];
  size_t m = 0;
  if (n == 11 && digits[0] == '0') {
    normal[m++] = '6';
    normal[m++] = '3';
    std::memcpy(normal + m, digits + 1, 10);
    m += 10;
  } else if (n == 10 && digits[0] == '9') {
    normal[m++] = '6';
    normal[m++] = '3';
    std::memcpy(normal + m, digits, 10);
    m += 10;
  } else {
    std::memcpy(normal, digits, n);
    m = n;
  }
  digest(std::string_view(normal, m), out);
  return true;
}

std::string_view PiiProtector::redact(std::string_view raw, Arena* arena) const {
  std::string out;
  out.reserve(raw.size() + 64);
  size_t i = 0;
  while (i < raw.size()) {
    bool replaced = false;
    for (std::string_view key :
         {std::string_view("\"phone_number\""), std::string_view("\"ip_address\"")}) {
      if (raw.compare(i, key.size(), key) != 0) continue;
      size_t j = i + key.size();
      while (j < raw.size() && (raw[j] == ' ' || raw[j] == ':' || raw[j] == '\t' ||
                                raw[j] == '\r' || raw[j] == '\n')) {
        ++j;
      }
      if (j < raw.size() && raw[j] == '"') {
        size_t end = raw.find('"', j + 1);
        if (end == std::string_view::npos) end = raw.size();
        std::string_view value = raw.substr(j + 1, end - j - 1);
        char h[kHashHexChars];
        if (key[1] == 'p') {
          if (!hash_phone(value, h)) hash(value, h);
        } else {
          hash(value, h);
        }
        out.append(raw.substr(i, j + 1 - i));
        out.append("hmac:");
        out.append(h, kHashHexChars);
        out.push_back('"');
        i = end + 1;
        replaced = true;
      }
      break;
    }
    if (replaced) continue;
    // Mask runs of 10+ digits (phone numbers outside the expected field).
    if (raw[i] >= '0' && raw[i] <= '9') {
      size_t j = i;
      while (j < raw.size() && raw[j] >= '0' && raw[j] <= '9') ++j;
      if (j - i >= 10) {
        out.append(j - i, '#');
      } else {
        out.append(raw.substr(i, j - i));
      }
      i = j;
      continue;
    }
    out.push_back(raw[i++]);
  }
  return arena->copy(out);
}

}  // namespace wf::pipeline
