// libFuzzer target: the row readers. Each input is one line for PaySim's reader and for a
// CSV mapping's reader (quoted fields, a time layout, minor units, a label column): a
// transaction or a dead-letter code, never a crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "codec/csv_mapping.h"
#include "codec/paysim.h"
#include "support/sample_mapping.h"

namespace {

std::unique_ptr<wf::codec::CsvDecoder> csv() {
  auto m = wf::codec::CsvMapping::parse(wf::testing::kSemicolonMapping, "fuzz.toml");
  if (!m.ok()) __builtin_trap();
  auto d = wf::codec::CsvDecoder::create(
      *m, "id;created;customer;amount_cents;kind;city;lat;lon;chargeback");
  if (!d.ok()) __builtin_trap();
  return std::move(*d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wf::codec::PaysimDecoder paysim(0, wf::Currency::php());
  static std::unique_ptr<wf::codec::CsvDecoder> mapped = csv();
  const std::string row(reinterpret_cast<const char*>(data), size);
  wf::domain::Transaction tx;
  wf::codec::RowTruth truth;
  (void)paysim.decode(row, &tx, &truth);
  (void)mapped->decode(row, &tx, &truth);
  (void)wf::codec::PaysimDecoder::is_header(row);
  (void)mapped->is_header(row);
  return 0;
}
