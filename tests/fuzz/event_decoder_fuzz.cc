// libFuzzer target: the bronze JSON decoder (SPEC sections 3 and 4). Any bytes must give
// an event or a dead-letter code, never a crash; with and without the order defaults.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codec/event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wf::codec::EventDecoder plain(4096);
  static wf::codec::EventDecoder orders(4096);
  orders.set_order_currency(*wf::Currency::from_code("IDR"));
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(wf::codec::kDecodePadding, '\0');
  wf::domain::Transaction tx;
  (void)plain.decode(std::string_view(padded.data(), size), &tx);
  (void)orders.decode(std::string_view(padded.data(), size), &tx);
  return 0;
}
