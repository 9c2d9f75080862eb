// Engine::evaluate per event with the shipped ph-ewallet pack: random events over 100k
// users (state mostly out of L1/L2, the realistic case), and one hot user (pure compute).
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
#include "rules/user_state.h"

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

int velocity_capacity(const RulePack& pack) {
  int64_t most = 0;
  for (const Rule& r : pack.rules()) {
    if (r.kind == RuleKind::kVelocity && r.max_count > most) most = r.max_count;
  }
  return static_cast<int>(most);
}

// ~20 events/s over random users; 1% from 5 bursting users (velocity); 85% located
// in the Philippines; 3% abroad; a few round and large amounts.
std::vector<Features> make_events(const RulePack& pack, uint32_t users) {
  Rng rng(42);
  std::vector<Features> events(kEvents);
  Instant t = kStart;
  for (Features& f : events) {
    t += static_cast<Instant>(rng.below(100'000)) + 1;  // mean 50 ms apart
    f.event_ts = t;
    f.user = rng.chance(0.01) ? static_cast<uint32_t>(rng.below(5))
                              : static_cast<uint32_t>(rng.below(users));
    f.local_hour = local_hour(t, pack.utc_offset_minutes());
    double major = std::exp(7.3 + 1.2 * rng.normal());
    f.amount_base =
        rng.chance(0.05) ? rng.between(1, 80) * 100'000 : static_cast<int64_t>(major * 100);
    f.country = rng.chance(0.03) ? "SG" : "";
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

UserStateTable make_state(const RulePack& pack, uint32_t users) {
  UserStateTable state(velocity_capacity(pack));
  Rng rng(7);
  for (uint32_t u = 0; u < users; ++u) {
    // A tenth never transacted, a tenth dormant for over 180 days, the rest recent.
    Instant last = 0;
    double p = rng.uniform();
    if (p > 0.2) last = kStart - static_cast<Instant>(rng.below(30)) * kMicrosPerDay;
    if (p > 0.1 && p <= 0.2) last = kStart - 200 * kMicrosPerDay;
    state.ensure(u, last);
  }
  return state;
}

void run(benchmark::State& bench, uint32_t users) {
  const RulePack& pack = shipped_pack();
  const Engine engine(pack);
  std::vector<Features> events = make_events(pack, users);
  if (users == 1) {
    for (Features& f : events) f.user = 0;
  }
  UserStateTable state = make_state(pack, users);
  // Laps continue in time by whole days, so local hours stay true and no event is late.
  const Instant covered = events.back().event_ts - events.front().event_ts + 1;
  const Instant span = (covered + kMicrosPerDay - 1) / kMicrosPerDay * kMicrosPerDay;
  size_t i = 0;
  Instant lap = 0;
  int64_t flagged = 0;
  constexpr size_t kRules = 6;
  int64_t per_rule[kRules] = {};
  for (auto _ : bench) {
    Features f = events[i];
    f.event_ts += lap;
    domain::Decision d = engine.evaluate(f, state);
    flagged += d.verdict == domain::Verdict::kFlag;
    for (size_t r = 0; r < kRules; ++r) per_rule[r] += (d.rules_fired >> r) & 1;
    benchmark::DoNotOptimize(d);
    if (++i == events.size()) {
      i = 0;
      lap += span;
    }
  }
  bench.SetItemsProcessed(static_cast<int64_t>(bench.iterations()));
  bench.counters["bytes_per_user"] = state.bytes_per_user();
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
