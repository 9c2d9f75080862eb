// Micro-benchmarks of the scoring path's stages over generated ph-ewallet events:
// decode alone, HMAC alone, and the whole Processor (decode .. rules).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "codec/event_decoder.h"
#include "gen/ph_ewallet.h"
#include "pipeline/processor.h"

namespace {

struct Corpus {
  wf::gen::Dimensions dims;
  std::string buffer;
  std::vector<std::string_view> records;
};

const Corpus& corpus() {
  static Corpus c = [] {
    Corpus c;
    wf::gen::SeedOptions so;
    so.users = 100'000;
    so.merchants = 2'000;
    so.seed = 7;
    so.now = *wf::parse_rfc3339("2026-11-01T00:00:00Z");
    c.dims = wf::gen::seed_dimensions(so);
    wf::gen::StreamOptions o;
    o.seed = 3;
    o.start = *wf::parse_rfc3339("2026-11-01T08:00:00Z");
    wf::gen::StreamGenerator g(c.dims, o);
    wf::gen::Label label;
    std::vector<std::pair<size_t, size_t>> spans;
    for (int i = 0; i < 200'000; ++i) {
      size_t b = c.buffer.size();
      g.next(&c.buffer, &label);
      spans.emplace_back(b, c.buffer.size() - b - 1);
    }
    c.buffer.append(64, ' ');
    for (auto [b, n] : spans) c.records.emplace_back(c.buffer.data() + b, n);
    return c;
  }();
  return c;
}

void BM_Decode(benchmark::State& state) {
  const Corpus& c = corpus();
  wf::codec::EventDecoder decoder;
  wf::domain::Transaction tx;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decoder.decode(c.records[i], &tx));
    if (++i == c.records.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode);

void BM_Hmac(benchmark::State& state) {
  auto pii = wf::pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  char out[64];
  for (auto _ : state) {
    pii->hash("203.177.228.214", out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Hmac);

// The whole Processor over batches of 1,024 records, as the Runner drives it
// (process_all prefetches per-user data ahead).
void BM_Process(benchmark::State& state) {
  const Corpus& c = corpus();
  auto pii = wf::pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = wf::rules::RulePack::builtin("ph-ewallet");
  wf::SystemClock clock;
  wf::pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(c.dims.users);
  wf::store::Batch batch;
  wf::Arena arena;
  std::vector<wf::stream::Record> records;
  constexpr size_t kBatch = 1024;
  size_t i = 0;
  for (auto _ : state) {
    records.clear();
    for (size_t k = 0; k < kBatch; ++k) {
      records.push_back(wf::stream::Record{c.records[i], 0, false});
      if (++i == c.records.size()) i = 0;
    }
    processor.process_all(records, &batch, &arena);
    batch.facts.clear();
    batch.dead_letters.clear();
    arena.reset();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_Process);

}  // namespace
