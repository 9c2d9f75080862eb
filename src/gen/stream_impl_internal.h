// StreamGenerator::Impl: the state behind the ph-ewallet stream. It merges two sources
// of events by time: an ordinary arrival process (Poisson, modulated by a day/night
// curve of PH local time; or the caller's clock in live mode) and a min-heap of
// scheduled pattern events (fraud injections, look-alikes, multi-event bursts). Per
// user it keeps where they are, when they last transacted and until when ordinary
// traffic must leave them alone, so that ordinary events never meet a rule's condition
// and every injected event meets exactly the rule it is labelled with.
// Not thread-safe; one generator per thread. Internal to src/gen.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "gen/event_writer_internal.h"
#include "gen/ph_ewallet.h"
#include "gen/ph_tables_internal.h"

namespace wf::gen {

namespace internal {

// What an arrival may start besides an ordinary event. The first six are the seed-000
// rules' patterns; the rest are legitimate look-alikes (kFp* do fire a FLAG rule: the
// false positives any real rule set has).
enum class Kind : uint8_t {
  kR001,
  kR002,
  kR003,
  kR004,
  kR005,
  kR006,
  kBigDay,        // >= PHP 50,000 at 10:00-19:00: not R001
  kDormantSmall,  // a dormant user returns with < PHP 20,000: not R005
  kFpNight,       // legitimate >= PHP 50,000 at night: fires R001
  kFpIntl,        // a traveller's legitimate >= PHP 30,000 abroad: fires R006
  kFpDormant,     // a dormant user legitimately returns with >= PHP 20,000: fires R005
};
inline constexpr int kKindCount = 11;

enum class UserKind : uint8_t { kInactive, kActive, kDormant, kReactivated };

struct UserState {
  Instant last_time = -kMicrosPerDay * 365;  // last event written for the user
  Instant busy_until = 0;                    // ordinary traffic and new patterns wait
  Instant last_activity = 0;                 // dim last_txn_at, then every event
  uint16_t home = 0;
  uint16_t place = 0;    // where the user is now (see is_foreign())
  uint16_t pending = 0;  // scheduled pattern events not yet written
  UserKind kind = UserKind::kInactive;
  uint32_t phone = 0;  // phone_digits() of the user id
};

inline constexpr uint16_t kAtUser = 0xffff;  // Pending::place: wherever the user is then

struct Pending {
  Instant t = 0;
  uint64_t seq = 0;  // tie-break, so equal times pop in scheduling order
  uint32_t user = 0;
  int64_t amount_minor = 0;
  const Fx* fx = nullptr;
  uint16_t place = kAtUser;
  domain::TxType type = domain::TxType::kPayment;
  Category category = Category::kShopping;
  uint8_t pattern = 0;  // 0 = none, 1..6 = R001..R006
  bool fraud = false;
  uint8_t device_variant = 0;
};

}  // namespace internal

class StreamGenerator::Impl {
 public:
  Impl(const Dimensions& dims, const StreamOptions& options);

  // One line; `live` takes the event time from `now`, else from the simulated clock.
  // Simulated lines go through the reorder buffer when max_disorder_us > 0.
  bool next(bool live, Instant now, std::string* out, Label* label);

  BadLineCounts bad_;
  int64_t events_ = 0;
  int64_t fraud_events_ = 0;

 private:
  using Kind = internal::Kind;
  using Pending = internal::Pending;
  using UserState = internal::UserState;

  // ph_stream.cc: the two event sources and writing.
  bool produce(bool live, Instant now, std::string* out, Label* label);
  void init_users();
  Instant next_arrival(Instant t);
  bool emit_pending(std::string* out, Label* label);
  void emit_ordinary(Instant t, std::string* out, Label* label);
  uint32_t pick_ordinary_user(Instant t);
  void finish(const internal::EventSpec& e, uint8_t pattern, bool fraud, std::string* out,
              Label* label);
  void push(const Pending& p);

  // ordinary.cc: what an ordinary event looks like, and trips.
  void draw_ordinary(uint32_t user, Instant t, internal::EventSpec* e);
  void draw_abroad(const UserState& s, internal::EventSpec* e);
  int64_t draw_php_amount(domain::TxType type, internal::Category category);
  int64_t make_plausible(int64_t php_centavos, const UserState& s, Instant t, bool abroad);
  uint32_t pick_merchant(internal::Category category, uint16_t place);
  uint32_t pick_other_user(uint32_t user);
  void place_event(uint32_t user, uint16_t place, internal::EventSpec* e);
  void maybe_depart(uint32_t user, Instant t);
  int64_t travel_us(uint16_t from, uint16_t to) const;

  // inject.cc: fraud patterns and look-alikes.
  void start_patterns(Instant t);
  bool inject(Kind kind, Instant t);
  int64_t pick_injectable(Instant t, int64_t min_idle_us);
  Instant in_local_window(Instant t, int start_hour, int end_hour);
  int64_t non_round(int64_t php_lo, int64_t php_hi);
  // Minor units of `fx`'s currency worth about `php_centavos`, nudged up until the PHP
  // equivalent is >= min_php (major units) and not an exact thousand.
  static int64_t foreign_minor(const internal::Fx& fx, int64_t php_centavos, int64_t min_php);
  bool inject_single(Kind kind, uint32_t user, Instant t);
  bool inject_burst(uint32_t user, Instant t);
  bool inject_jump(uint32_t user, Instant t);
  bool inject_foreign(uint32_t user, Instant t);
  bool inject_dormant(Kind kind, Instant t);
  bool inject_trip_purchase(uint32_t user, Instant t);
  void schedule(uint32_t user, Instant t, int64_t php_centavos, domain::TxType type,
                internal::Category category, uint8_t pattern, uint8_t device_variant);

  // bad_lines.cc
  void emit_bad(Instant t, std::string* out);

  // reorder.cc: bounded out-of-order emission (StreamOptions::max_disorder_us).
  struct Slot {
    std::string line;
    Label label;
    bool ok = false;
    Instant key = 0;
    uint64_t seq = 0;
  };
  bool next_disordered(std::string* out, Label* label);

  const Dimensions& dims_;
  StreamOptions options_;
  Rng rng_;
  internal::EventWriter writer_;
  std::vector<UserState> users_;
  std::vector<uint32_t> pool_;     // ordinary traffic: active users, heavy ones repeated
  std::vector<uint32_t> dormant_;  // users a pattern may reactivate, consumed from back
  size_t active_users_ = 0;
  uint32_t next_pick_ = 0;  // the next ordinary candidate, drawn early to prefetch it
  // merchants_by_[category] and merchants_local_[category][city]
  std::vector<std::vector<uint32_t>> merchants_by_;
  std::vector<std::vector<std::vector<uint32_t>>> merchants_local_;
  std::vector<Pending> heap_;
  uint64_t seq_ = 0;
  Instant clock_ = 0;  // simulated time of the next ordinary arrival
  double base_rate_per_us_ = 0;
  std::array<double, 24> curve_{};
  std::array<double, internal::kKindCount> start_prob_{};  // per arrival
  std::array<int, internal::kKindCount> owed_{};           // injections that found no user
  int redirect_ = 0;
  // Reorder buffer: slots_ keep their string capacity; ready_ is a min-heap on key.
  std::vector<Slot> slots_;
  std::vector<uint32_t> ready_;
  std::vector<uint32_t> free_slots_;
  std::vector<Instant> user_key_;  // per user: the last key, so each user stays in order
  Instant frontier_ = INT64_MIN;   // latest event time generated so far
  Instant last_t_ = 0;             // time and user of the last event finish() wrote
  int64_t last_user_ = -1;
  char uuid_[36];
  std::string scratch_;  // malformed lines are built here before being cut
};

}  // namespace wf::gen
