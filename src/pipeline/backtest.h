// Backtesting a candidate rule pack: replays transactions through the candidate with
// fresh per-key state and compares each decision with the baseline, either another pack
// replayed beside it (the rules in production) or the decision stored for that
// transaction. Tallies alerts added and removed, hits per rule, precision / recall / F1
// against labels where known, and keeps the biggest score changes with their reasons.
// Single-threaded; allocation-free per event except for the kept top changes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/row_decoder.h"
#include "core/hash.h"
#include "core/result.h"
#include "domain/decision.h"
#include "domain/dims.h"
#include "domain/transaction.h"
#include "pipeline/confusion.h"
#include "pipeline/user_homes.h"
#include "pipeline/user_index.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::pipeline {

// What the baseline decided for one transaction (a stored row, or the baseline pack).
struct BaselineDecision {
  int score = 0;
  domain::Verdict verdict = domain::Verdict::kNormal;
  std::string_view rules_fired;  // "R001,R004"
  std::string_view reasons;
};

struct RuleTally {
  int64_t candidate_hits = 0;
  int64_t baseline_hits = 0;
  int64_t candidate_hits_fraud = 0;  // hits on transactions labelled fraud
  int64_t baseline_hits_fraud = 0;
  int64_t candidate_hits_labelled = 0;
  int64_t baseline_hits_labelled = 0;
  bool in_candidate = false;
  bool in_baseline = false;
};

struct Change {
  std::string transaction_id;
  Instant event_ts = 0;
  int candidate_score = 0;
  int baseline_score = 0;
  domain::Verdict candidate_verdict = domain::Verdict::kNormal;
  domain::Verdict baseline_verdict = domain::Verdict::kNormal;
  std::string candidate_rules;
  std::string baseline_rules;
  std::string candidate_reasons;
  std::string baseline_reasons;
};

struct BacktestReport {
  int64_t events = 0;
  int64_t warmup_events = 0;
  int64_t skipped = 0;  // amounts the candidate cannot convert (no FX rate)
  int64_t candidate_alerts = 0;
  int64_t baseline_alerts = 0;
  int64_t alerts_added = 0;  // FLAG now, not in the baseline
  int64_t alerts_removed = 0;
  int64_t decisions_changed = 0;                   // score, verdict or fired rules differ
  std::map<std::string, int64_t> added_by_rule;    // top rule of each added alert
  std::map<std::string, int64_t> removed_by_rule;  // first baseline rule of each removed one
  std::map<std::string, RuleTally> rules;
  int64_t labelled = 0;
  Confusion candidate;  // FLAG vs is_fraud over labelled transactions
  Confusion baseline;
  std::vector<Change> biggest_changes;  // by |score change|, largest first
};

// transaction_id -> is_fraud, as 64-bit id hashes in one flat open-addressing array, so
// a lookup is one cache miss (a million labels: 16 MiB). Ids are not kept: two ids with
// the same 64-bit hash (odds ~1e-8 for a million) would share a label.
class LabelIndex {
 public:
  void add(std::string_view id, bool is_fraud);
  // 1 fraud, 0 not fraud, -1 unlabelled.
  int find(std::string_view id) const;
  void prefetch(std::string_view id) const {
    if (size_ != 0) {
      const uint64_t key = (hash_bytes(id) | 2) & ~uint64_t{1};
      __builtin_prefetch(&slots_[static_cast<size_t>(key >> 1) & (slots_.size() - 1)]);
    }
  }
  size_t size() const { return size_; }

 private:
  void grow();
  std::vector<uint64_t> slots_;  // hash with bit 0 = is_fraud; 0 = empty
  size_t size_ = 0;
};

// How Backtest::replay_file() reads a file: JSON lines (the default), or delimited rows.
struct ReplayFormat {
  // Set: each line is a row for this decoder (PaySim's CSV, a CSV through a mapping),
  // which must outlive the replay. Null: JSON events.
  codec::RowDecoder* rows = nullptr;
  // rows: whether the file's first line is its header (neither replayed nor counted).
  std::function<bool(std::string_view)> is_header;
  // rows: each transaction's label is its row's own (RowTruth; unlabelled when the row
  // has none) instead of the set_labels() index.
  bool row_labels = false;
};

class Backtest {
 public:
  // `baseline` null: each replayed transaction brings its stored decision instead.
  // Packs must outlive the Backtest.
  Backtest(const rules::RulePack& candidate, const rules::RulePack* baseline,
           size_t keep_changes = 10);

  // dim_users: last activity known before the replay.
  void load_users(const std::vector<domain::User>& users);
  void set_last_seen(std::string_view user_id, Instant t);
  void set_labels(LabelIndex labels) { labels_ = std::move(labels); }

  // Folds a transaction into both packs' state without comparing (the window before
  // --from). `tx` is enriched in place (country case).
  void warm(domain::Transaction& tx);
  // Replays one transaction. With a baseline pack, `stored` is ignored.
  void replay(domain::Transaction& tx, const BaselineDecision* stored);
  // Replays a file against the baseline pack (which must be set), in two stages on two
  // threads: this one decodes, drops resent ids and enriches the next batch (from a
  // read-only mapping of the file, so records need no copy; strings a decoder keeps in
  // its own buffers are copied per batch) while the other scores the previous batch
  // with both packs and compares. Decisions equal replay() one by one. Undecodable or
  // oversized records are counted as dead letters, not replayed.
  struct SourceCounts {
    int64_t records = 0;  // non-blank lines, the header excluded
    int64_t dead_letters = 0;
    int64_t duplicates = 0;
  };
  Result<SourceCounts> replay_file(const std::string& path, size_t max_event_bytes,
                                   const ReplayFormat& format = {});

  // The report so far (biggest changes sorted).
  BacktestReport report() const;

 private:
  struct Side {
    const rules::RulePack* pack = nullptr;
    std::unique_ptr<rules::Engine> engine;
  };
  uint32_t user(std::string_view id, Instant last_seen_if_new);
  // The baseline pack's decision as the comparison takes it (ids in base_ids_).
  BaselineDecision baseline_decision(const domain::Decision& d, std::string* reasons);
  // `label`: 1 fraud, 0 not, -1 unlabelled, -2 not looked up yet.
  void compare(const domain::Transaction& tx, const domain::Decision& cand,
               const std::string& cand_reasons, const BaselineDecision& base, int label = -2);
  void keep_change(const domain::Transaction& tx, const domain::Decision& cand,
                   const std::string& cand_reasons, const BaselineDecision& base);

  Side candidate_;
  Side baseline_;
  bool has_baseline_;
  size_t keep_;
  UserIndex users_;
  UserHomes homes_;
  LabelIndex labels_;
  // replay_file's per-transaction working set.
  struct Item {
    domain::Transaction tx;
    rules::Event ce;
    rules::Event be;
    char country_c[2];
    char country_b[2];
    bool ok_c = false;
    bool ok_b = false;
    int label = -2;  // as compare() takes it: -2 looks it up in labels_
    domain::Decision cand;
    domain::Decision base;
  };
  struct Stage;
  void prepare(Item& it);
  void score(Stage& stage);

  std::string reasons_;         // replay(): the candidate's reasons
  std::string base_reasons_;    // replay(): the baseline pack's reasons
  char base_ids_[64 * 17 + 1];  // fired ids of the baseline pack's decision
  char cand_ids_[64 * 17 + 1];
  BacktestReport report_;
  // Smallest kept change first (a heap on |delta|).
  std::vector<Change> heap_;
};

}  // namespace wf::pipeline
