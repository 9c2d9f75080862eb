// The ph-ewallet synthetic profile (seed 000): Philippine users and merchants, and a
// labelled transaction stream with the seed's spending mix, day/night curve, plausible
// movement, injected fraud of every seed-000 pattern, look-alike legitimate events and
// optionally malformed lines. Deterministic for a seed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/dims.h"

namespace wf::gen {

struct SeedOptions {
  int64_t users = 10'000;
  int64_t merchants = 500;
  uint64_t seed = 0;
  // Reference time: created_at and last_txn_at lie before it; some users are dormant
  // (last activity more than 180 days before it).
  Instant now = 0;
  double dormant_share = 0.15;
};

struct Dimensions {
  std::vector<domain::User> users;  // phone_hash left empty: the caller protects it
  std::vector<domain::Merchant> merchants;
};

Dimensions seed_dimensions(const SeedOptions& options);

// The user's phone number ("+639171234567"), derived from the user id alone so that
// `generate` can put it into events after reading users back from a store.
std::string phone_number_for(std::string_view user_id);

// Ground truth of one generated event, written to the labels side channel only.
struct Label {
  std::string transaction_id;
  bool is_fraud = false;
  std::string pattern;  // "R001".."R006" for injections, "" for ordinary traffic
};

struct StreamOptions {
  uint64_t seed = 0;
  double fraud_rate = 0.02;  // share of events that are injected fraud patterns
  double bad_rate = 0.0;     // share of lines that are malformed
  // Simulated mode: event time starts here and advances with the users' activity
  // (tx_per_user_per_day, modulated by the day/night curve of local time).
  Instant start = 0;
  double tx_per_user_per_day = 4.0;
  // Events may be emitted up to this much out of event-time order (0 = in order).
  int64_t max_disorder_us = 0;
};

// Counts of malformed lines written, by the dead-letter code the pipeline must give them.
struct BadLineCounts {
  std::array<int64_t, 16> by_code{};  // index = static_cast<size_t>(Errc)
  int64_t total = 0;
};

class StreamGenerator {
 public:
  // `dims` must outlive the generator and hold at least one user and one merchant.
  StreamGenerator(const Dimensions& dims, const StreamOptions& options);
  ~StreamGenerator();

  // Appends the next line (JSON object + '\n', or a malformed line) to `out`. For a
  // well-formed event sets *label and returns true; for a malformed line returns false.
  // Simulated event time.
  bool next(std::string* out, Label* label);
  // Live mode: the event happens at `now` (wall clock); same contract as next().
  bool next_at(Instant now, std::string* out, Label* label);

  const BadLineCounts& bad_lines() const;
  int64_t events() const;  // well-formed events written
  int64_t fraud_events() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wf::gen
