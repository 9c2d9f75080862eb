// libFuzzer target: the rule language. Any text is a compiled pack or a list of errors,
// never a crash; a pack that compiles scores a few events (stateful features, reasons)
// without a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/engine.h"
#include "rules/pack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto pack = wf::rules::RulePack::parse(text, "fuzz.toml");
  if (!pack.ok()) return 0;
  wf::rules::Engine engine(*pack);
  wf::domain::Transaction tx;
  tx.transaction_id = "t";
  tx.user_id = "U00000001";
  tx.merchant_id = "M1";
  tx.country = "PH";
  tx.city = "Cebu";
  tx.has_location = true;
  tx.lat = 10.3;
  tx.lon = 123.9;
  wf::rules::Event e;
  e.tx = &tx;
  engine.ensure_user(0, 0);
  std::string reasons;
  for (int i = 0; i < 4; ++i) {
    tx.event_ts = 1'795'579'200'000'000 + int64_t{i} * 60'000'000;
    e.amount = 1'000'00 * (i + 1);
    e.local_hour = i;
    (void)engine.evaluate(e, &reasons);
  }
  return 0;
}
