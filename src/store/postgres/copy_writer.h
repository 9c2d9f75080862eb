// Builds a COPY ... (FORMAT binary) stream in memory: the server stores the values as
// they are, with no text parsing. Integers are big-endian; timestamptz is microseconds
// since 2000-01-01 UTC; text is its UTF-8 bytes; NULL is a length of -1.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wf::store::postgres {

class CopyWriter {
 public:
  explicit CopyWriter(std::string* out) : out_(out) {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n\0";
    out_->append(kSignature, 11);
    put32(0);  // flags
    put32(0);  // header extension length
  }

  void row(int16_t fields) { put16(static_cast<uint16_t>(fields)); }
  void null() { put32(0xFFFFFFFFu); }
  void text(std::string_view v) {
    put32(static_cast<uint32_t>(v.size()));
    out_->append(v);
  }
  // Empty text becomes NULL (optional columns).
  void text_or_null(std::string_view v) {
    if (v.empty()) {
      null();
    } else {
      text(v);
    }
  }
  void bytes(std::string_view v) { text(v); }  // bytea: the raw bytes
  void int8(int64_t v) {
    put32(8);
    put64(static_cast<uint64_t>(v));
  }
  void int4(int32_t v) {
    put32(4);
    put32(static_cast<uint32_t>(v));
  }
  void int2(int16_t v) {
    put32(2);
    put16(static_cast<uint16_t>(v));
  }
  void float8(double v) {
    put32(8);
    put64(std::bit_cast<uint64_t>(v));
  }
  void boolean(bool v) {
    put32(1);
    out_->push_back(v ? '\1' : '\0');
  }
  // `instant`: microseconds since 1970-01-01 UTC.
  void timestamptz(int64_t instant) {
    constexpr int64_t kPgEpochUs = 946'684'800'000'000;  // 2000-01-01 in Unix microseconds
    int8(instant - kPgEpochUs);
  }
  void finish() { put16(0xFFFFu); }

 private:
  void put16(uint16_t v) {
    char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
    out_->append(b, 2);
  }
  void put32(uint32_t v) {
    uint32_t be = __builtin_bswap32(v);
    out_->append(reinterpret_cast<const char*>(&be), 4);
  }
  void put64(uint64_t v) {
    uint64_t be = __builtin_bswap64(v);
    out_->append(reinterpret_cast<const char*>(&be), 8);
  }

  std::string* out_;
};

}  // namespace wf::store::postgres
