#include "core/uuid.h"

namespace wf {

void format_uuid_v7(Instant t, Rng& rng, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t ms = static_cast<uint64_t>(t / 1000);
  uint64_t r1 = rng.next();
  uint64_t r2 = rng.next();
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((r1 >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(r1);
  b[8] = static_cast<unsigned char>(0x80 | ((r2 >> 56) & 0x3f));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<unsigned char>(r2 >> (8 * (15 - i)));
  size_t p = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[p++] = '-';
    out[p++] = kHex[b[i] >> 4];
    out[p++] = kHex[b[i] & 15];
  }
}

std::string make_uuid_v7(Instant t, Rng& rng) {
  std::string s(kUuidChars, '\0');
  format_uuid_v7(t, rng, s.data());
  return s;
}

}  // namespace wf
