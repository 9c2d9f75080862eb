// ph-ewallet generator throughput: events appended into one reused string, as
// `walletflow generate` does before each write. Target: >= 1,000,000 events/s.
#include <benchmark/benchmark.h>

#include <string>

#include "gen/ph_ewallet.h"

namespace {

wf::gen::Dimensions make_dims(int64_t users) {
  wf::gen::SeedOptions o;
  o.users = users;
  o.merchants = 2'000;
  o.now = 1'772'323'200'000'000;  // 2026-03-01T00:00:00Z
  return wf::gen::seed_dimensions(o);
}

const wf::gen::Dimensions& bench_dims(int64_t users) {
  static const wf::gen::Dimensions small = make_dims(10'000);
  static const wf::gen::Dimensions large = make_dims(1'000'000);
  return users <= 10'000 ? small : large;
}

void BM_PhEwalletStream(benchmark::State& state) {
  wf::gen::StreamOptions o;
  o.start = 1'772'323'200'000'000;
  o.fraud_rate = 0.02;
  o.bad_rate = static_cast<double>(state.range(1)) / 1000.0;
  wf::gen::StreamGenerator gen(bench_dims(state.range(0)), o);
  std::string out;
  out.reserve(1 << 20);
  wf::gen::Label label;
  int64_t bytes = 0;
  for (auto _ : state) {
    if (out.size() > (1 << 19)) {
      bytes += static_cast<int64_t>(out.size());
      out.clear();
    }
    benchmark::DoNotOptimize(gen.next(&out, &label));
  }
  bytes += static_cast<int64_t>(out.size());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
// Args: users (10k default dims, 1M for cache misses), bad_rate in per mille.
BENCHMARK(BM_PhEwalletStream)->Args({10'000, 0})->Args({10'000, 10})->Args({1'000'000, 0});

}  // namespace
