// Runs a compiled RulePack against events: the prologue (key fields, filters, values the
// state keeps), each rule's condition (stateful features computed lazily, at most once
// per event), then folds the event into the per-key state. Score = highest fired score,
// ties to the earlier rule; verdict by SPEC section 6. Reads only the event's time.
// Allocation-free per event once warm (new hashed keys and interned strings aside).
// Owns the per-key state; one Engine per scoring thread, not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/hash.h"
#include "core/time.h"
#include "domain/decision.h"
#include "domain/transaction.h"
#include "rules/key_state.h"
#include "rules/pack.h"

namespace wf::rules {

namespace internal {
enum class Type : uint8_t;
struct Program;
struct Reg;
struct Insn;
}  // namespace internal

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

// dim_merchants' risk scores (0..100) by merchant id, for the rules' `merchant_risk`.
class MerchantRisks {
 public:
  void set(std::string_view merchant_id, int risk) { risk_[hash_bytes(merchant_id)] = risk; }
  // -1 when unknown.
  int find(std::string_view merchant_id) const {
    if (merchant_id.empty() || risk_.empty()) return -1;
    auto it = risk_.find(hash_bytes(merchant_id));
    return it == risk_.end() ? -1 : it->second;
  }
  size_t size() const { return risk_.size(); }

 private:
  std::unordered_map<uint64_t, int> risk_;
};

// One enriched transaction as the rules see it.
struct Event {
  const domain::Transaction* tx = nullptr;  // country upper-case; required
  uint32_t user = 0;                        // dense user index (keys by user_id)
  int64_t amount = 0;                       // amount in base-currency minor units
  int local_hour = 0;                       // 0-23, the pack's local time
  int weekday = 0;                          // 0 = Monday .. 6, local time
  bool has_location = false;                // lat/lon present and valid
  int64_t balances[4] = {0, 0, 0, 0};       // PaySim balances in base minor units
  std::string_view home_province;           // the user's, from dim_users; empty if unknown
  // Users' homes by dense index (dim_users; NaN latitude: unknown), looked up only when a
  // rule reads home_location.
  std::span<const GeoPoint> homes;
  // Looked up only when a rule reads merchant_risk; null when none are loaded.
  const MerchantRisks* merchant_risks = nullptr;
};

class Engine {
 public:
  // The pack must outlive the engine.
  explicit Engine(const RulePack& pack);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Scores `e` against the state, then records it. When `reasons` is given and rules
  // fired, it is set to "R003: 231 km from Cebu City in 6 min; R004: ..." (fired rules in
  // pack order); otherwise left untouched.
  // With `model_features` (size: the pack's model_features()), also their values from the
  // same state, before the event joins it: missing as NaN, money in major units of the
  // base currency, durations in seconds, times in seconds since the epoch.
  domain::Decision evaluate(const Event& e, std::string* reasons = nullptr,
                            std::span<double> model_features = {});
  // The decision `e` would get as the next event, leaving it out of the state (a
  // transaction scored before it is authorised; it arrives with the stream later).
  domain::Decision evaluate_only(const Event& e, std::string* reasons = nullptr,
                                 std::span<double> model_features = {});
  // Records an event in the state without scoring (state rebuild on restart, replay);
  // with `model_features`, their values first (training replays history this way).
  void observe(const Event& e, std::span<double> model_features = {});

  // Takes over `old`'s per-key state for every feature block this engine's pack shares
  // with old's (same key, filter, window, capacity and values): a reload that changes
  // thresholds keeps its windows. Returns the number of blocks carried over.
  size_t adopt(const Engine& old);

  // Registers user index `user`; its last activity starts at `last_seen` (0 = never).
  void ensure_user(uint32_t user, Instant last_seen);
  // Raises the user's last activity to `t`; never lowers it.
  void set_last_seen(uint32_t user, Instant t);
  // Loads `user`'s state into the cache a few events ahead of scoring it.
  void prefetch_user(uint32_t user) const {
    if (user_table_ >= 0) tables_[static_cast<size_t>(user_table_)].prefetch(user);
  }

  // Drops hashed keys idle longer than the pack's idle expiry before `now`. The engine
  // also calls it itself as event time advances.
  size_t expire(Instant now);
  // State bytes per known user (all key tables together).
  double bytes_per_user() const;
  size_t users() const;

  const RulePack& pack() const { return *pack_; }

 private:
  void prologue(const Event& e);
  void run(uint32_t begin, uint32_t end);
  void compute_feature(uint32_t index);
  void fold();
  domain::Decision decide(std::string* reasons);
  void model_outputs(std::span<double> out);
  void format_reasons(uint64_t fired, std::string* out);
  bool filter_passes(int32_t reg) const;
  uint64_t key_hash(const std::vector<uint16_t>& regs, const std::vector<internal::Type>& types,
                    bool* missing) const;

  const RulePack* pack_;
  const internal::Program* prog_;
  std::vector<internal::Reg> regs_;
  std::vector<KeyTable> tables_;
  std::vector<uint32_t*> slots_;               // per key group, this event's slot (null: no key)
  std::vector<const uint32_t*> lookup_slots_;  // per lookup key (null: never seen)
  StringPool strings_;
  int user_table_ = -1;  // the dense user_id group, if any
  const Event* ev_ = nullptr;
  uint64_t computed_ = 0;  // features computed for this event
  uint64_t fired_ = 0;
  Instant next_expire_ = 0;
};

// Great-circle distance in kilometres (haversine, mean Earth radius).
double distance_km(double lat1, double lon1, double lat2, double lon2);

}  // namespace wf::rules
