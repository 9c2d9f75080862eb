// Engine::evaluate per event (no reason texts) with the shipped ph-ewallet pack: random events over
// 100k users (state mostly out of L1/L2, the realistic case), and one hot user (pure compute).
// Reports ns per event and the state's bytes per user.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/rng.h"
#include "core/time.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::rules {
namespace {

constexpr uint32_t kUsers = 100'000;
constexpr size_t kEvents = size_t{1} << 20;
constexpr Instant kStart = 1'795'579'200'000'000;  // 2026-11-25T12:00:00+08:00

const RulePack& shipped_pack() {
  static const RulePack pack = [] {
    auto p = RulePack::builtin("ph-ewallet");
    if (!p.ok()) {
      std::fprintf(stderr, "%s\n", p.error().message.c_str());
      std::abort();
    }
    return std::move(*p);
  }();
  return pack;
}

// ~20 events/s over random users; 1% from 5 bursting users (velocity); 85% located
// in the Philippines; 3% abroad; a few round and large amounts.
// Compact events (one cache line each, like a decoded transaction that is hot in
// cache in the pipeline); the loop fills a Transaction from one before scoring it.
struct Compact {
  Instant ts = 0;
  uint32_t user = 0;
  int local_hour = 0;
  int64_t amount = 0;
  const char* country = "PH";
  bool has_location = false;
  double lat = 0;
  double lon = 0;
};

std::vector<Compact> make_events(const RulePack& pack, uint32_t users) {
  Rng rng(42);
  std::vector<Compact> events(kEvents);
  Instant t = kStart;
  for (Compact& f : events) {
    t += static_cast<Instant>(rng.below(100'000)) + 1;  // mean 50 ms apart
    f.ts = t;
    f.user = rng.chance(0.01) ? static_cast<uint32_t>(rng.below(5))
                              : static_cast<uint32_t>(rng.below(users));
    f.local_hour = local_hour(t, pack.utc_offset_minutes());
    double major = std::exp(7.3 + 1.2 * rng.normal());
    f.amount = rng.chance(0.05) ? rng.between(1, 80) * 100'000 : static_cast<int64_t>(major * 100);
    f.country = rng.chance(0.03) ? "SG" : "PH";
    // Each user lives near a home of their own (a few km of jitter); 0.2% of events
    // are somewhere else in the country.
    f.has_location = rng.chance(0.85);
    Rng home(f.user);
    f.lat = 5.0 + home.uniform() * 14.0 + (rng.uniform() - 0.5) * 0.05;
    f.lon = 117.0 + home.uniform() * 9.0 + (rng.uniform() - 0.5) * 0.05;
    if (rng.chance(0.002)) {
      f.lat = 5.0 + rng.uniform() * 14.0;
      f.lon = 117.0 + rng.uniform() * 9.0;
    }
  }
  return events;
}

void make_state(Engine& state, uint32_t users) {
  Rng rng(7);
  for (uint32_t u = 0; u < users; ++u) {
    // A tenth never transacted, a tenth dormant for over 180 days, the rest recent.
    Instant last = 0;
    double p = rng.uniform();
    if (p > 0.2) last = kStart - static_cast<Instant>(rng.below(30)) * kMicrosPerDay;
    if (p > 0.1 && p <= 0.2) last = kStart - 200 * kMicrosPerDay;
    state.ensure_user(u, last);
  }
}

void run(benchmark::State& bench, uint32_t users) {
  const RulePack& pack = shipped_pack();
  Engine engine(pack);
  std::vector<Compact> events = make_events(pack, users);
  if (users == 1) {
    for (Compact& f : events) f.user = 0;
  }
  make_state(engine, users);
  // Laps continue in time by whole days, so local hours stay true and no event is late.
  const Instant covered = events.back().ts - events.front().ts + 1;
  const Instant span = (covered + kMicrosPerDay - 1) / kMicrosPerDay * kMicrosPerDay;
  size_t i = 0;
  Instant lap = 0;
  int64_t flagged = 0;
  constexpr size_t kRules = 6;
  int64_t per_rule[kRules] = {};
  for (auto _ : bench) {
    const Compact& c = events[i];
    domain::Transaction tx;
    tx.event_ts = c.ts + lap;
    tx.country = c.country;
    tx.city = "Quezon City";
    tx.has_location = c.has_location;
    tx.lat = c.lat;
    tx.lon = c.lon;
    Event e;
    e.tx = &tx;
    e.user = c.user;
    e.amount = c.amount;
    e.local_hour = c.local_hour;
    e.has_location = c.has_location;
    domain::Decision d = engine.evaluate(e);
    flagged += d.verdict == domain::Verdict::kFlag;
    for (size_t r = 0; r < kRules; ++r) per_rule[r] += (d.rules_fired >> r) & 1;
    benchmark::DoNotOptimize(d);
    if (++i == events.size()) {
      i = 0;
      lap += span;
    }
  }
  bench.SetItemsProcessed(static_cast<int64_t>(bench.iterations()));
  bench.counters["bytes_per_user"] = engine.bytes_per_user();
  for (size_t r = 0; r < kRules && r < pack.rules().size(); ++r) {  // share of events firing
    bench.counters[pack.rules()[r].id] =
        static_cast<double>(per_rule[r]) / static_cast<double>(bench.iterations());
  }
  bench.counters["flag_rate"] =
      benchmark::Counter(static_cast<double>(flagged) / static_cast<double>(bench.iterations()));
}

void BM_RulesEvaluate100kUsers(benchmark::State& bench) { run(bench, kUsers); }
BENCHMARK(BM_RulesEvaluate100kUsers);

void BM_RulesEvaluateOneHotUser(benchmark::State& bench) { run(bench, 1); }
BENCHMARK(BM_RulesEvaluateOneHotUser);

void BM_RulesDistanceKm(benchmark::State& bench) {
  double lat = 14.5995;
  for (auto _ : bench) {
    benchmark::DoNotOptimize(lat);
    benchmark::DoNotOptimize(distance_km(lat, 120.9842, 10.3157, 123.8854));
  }
}
BENCHMARK(BM_RulesDistanceKm);

}  // namespace
}  // namespace wf::rules

// wf_microbench links benchmark::benchmark without benchmark_main and this is its only
// source so far; move this to a bench/main.cc once a second bench file exists.
