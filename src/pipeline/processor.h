// The per-record data plane: decode -> validate -> enrich (user index, FX to the base
// currency, local hour) -> protect PII -> rules -> a fact row, or a dead letter with its
// code. Owns the decoder, the rule state and the latency histogram; one Processor per
// scoring thread. No exceptions; no per-event heap allocation once warmed up (strings a
// row keeps are copied into the caller's Arena).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "codec/event_decoder.h"
#include "codec/paysim.h"
#include "core/arena.h"
#include "core/histogram.h"
#include "core/time.h"
#include "domain/dims.h"
#include "model/model_file.h"
#include "pipeline/pii_memo.h"
#include "pipeline/pii_protector.h"
#include "pipeline/recent_ids.h"
#include "pipeline/user_homes.h"
#include "pipeline/user_index.h"
#include "rules/engine.h"
#include "store/store.h"
#include "stream/source.h"

namespace wf::pipeline {

struct ProcessorCounters {
  int64_t records = 0;
  int64_t facts = 0;       // rows emitted
  int64_t duplicates = 0;  // resent ids caught before scoring (not emitted)
  int64_t dead_letters = 0;
  int64_t flagged = 0;
  int64_t monitored = 0;
  std::array<int64_t, 16> dead_by_code{};
  int64_t rules_swaps = 0;    // hot reloads applied
  int64_t model_scored = 0;   // events the model scored
  int64_t model_flagged = 0;  // FLAGs the rules alone would not have raised
  int64_t model_vetoed = 0;   // rule FLAGs the model did not confirm
};

class Processor {
 public:
  // `pack` must outlive the Processor.
  Processor(const rules::RulePack& pack, const PiiProtector& pii, const Clock& clock,
            size_t max_event_bytes = codec::kDefaultMaxEventBytes);
  Processor(std::shared_ptr<const rules::RulePack> pack, const PiiProtector& pii,
            const Clock& clock, size_t max_event_bytes = codec::kDefaultMaxEventBytes);

  // Scores every later record with `pack` (hot reload). Called between records, so each
  // event is scored by one whole rule set. Per-key state of the features both sets share
  // (same key, filter, window...) carries over; returns how many state blocks did. The
  // old pack stays alive for rows that still point at it.
  size_t swap_rules(std::shared_ptr<const rules::RulePack> pack);
  const rules::RulePack& pack() const { return *pack_; }

  // Records are rows of a delimited file instead of JSON events (process --format
  // paysim|csv). Each decoded row's truth (a label, a baseline verdict) goes to `truth`
  // when it is set and the row carries one.
  using TruthSink = std::function<void(std::string_view id, const codec::RowTruth& truth)>;
  void read_rows(std::unique_ptr<codec::RowDecoder> rows, TruthSink truth = {});
  // PaySim's CSV: step 0 is `start`, amounts in the pack's base currency.
  void read_paysim(Instant start, TruthSink truth = {});

  // How a model's score joins the rules' verdict.
  enum class ModelPolicy {
    kShadow,    // scored and stored only
    kEither,    // FLAG when the rules flag or the model's score >= threshold
    kCombined,  // FLAG when the score >= threshold, or the rules flag and it is >= confirm
  };
  // Scores every later event with a trained model beside the rules: its features are the
  // pack's model features (the pack must be compiled with the model's features file, in
  // the manifest's order). Each fact gets model_score; a FLAG the model raises names the
  // features that pushed its score most, a rule flag it does not confirm becomes MONITOR
  // with the model's score in the reasons. Null: no model.
  void set_model(std::shared_ptr<const model::Model> model, double threshold, double confirm,
                 ModelPolicy policy);
  const model::Model* model() const { return model_.get(); }
  // A reloaded model (same policy; its threshold from its manifest unless one was set
  // with set_threshold_override), after swap_rules() installed the pack compiled with
  // its features.
  void replace_model(std::shared_ptr<const model::Model> model);
  void set_threshold_override(double threshold) { threshold_override_ = threshold; }
  // Training: every scored event's id, time, rule score and model-feature values.
  using FeatureSink = std::function<void(std::string_view id, Instant ts, int rule_score,
                                         std::span<const double> features)>;
  void collect_features(FeatureSink sink);

  // Registers dim_users so the dormancy rule knows their last activity.
  void load_users(const std::vector<domain::User>& users);
  // Registers dim_merchants' risk scores (the rules' merchant_risk).
  void load_merchants(const std::vector<domain::Merchant>& merchants);
  // Rebuilds rule state from what `store` already holds, so a restarted process scores
  // the next event exactly as an uninterrupted one would. With `positions` (the Kafka
  // partitions about to be consumed), the replay reaches back far enough for the one
  // furthest behind. Adds to the current state: call on a fresh or reset Processor.
  Status restore_state(store::Store& store, const std::vector<std::string>& positions = {});
  // Folds one stored fact into the state, as restore_state() does for each: how `serve`
  // follows what another process commits. False when this fact was already folded.
  bool fold(const store::StoredFact& fact);
  // The same, also computing the pack's model features (training from a store).
  bool fold(const store::StoredFact& fact, std::span<double> model_features);
  // The alert type ("R001 high_amount_night") a fact with these fired rules carried.
  std::string_view alert_type_of(std::string_view rules_fired) const;
  // Forgets all rule state and recently seen ids (users and their dimensions stay), before
  // restore_state() rebuilds them: partitions this instance did not hold were scored by
  // another one meanwhile.
  void reset_state();

  // Appends one fact or dead letter for `record` to `batch`.
  void process(const stream::Record& record, store::Batch* batch, Arena* arena);
  // A decision for one transaction before it is authorised (POST /api/v1/score): the same
  // checks and rules, against the current state, which it leaves as it was. Errors are
  // the dead-letter codes.
  struct Scored {
    domain::Decision decision;
    std::string rules_fired;  // "R001,R004"
    std::string reasons;
    std::string_view ruleset_version;
    double model_score = std::numeric_limits<double>::quiet_NaN();  // NaN: no model
    int64_t latency_ns = 0;
  };
  Result<Scored> score(std::string_view json);
  // The same for each record in order, loading the per-user data of the records a few
  // places ahead while the current one decodes (hides memory latency with many users).
  void process_all(const std::vector<stream::Record>& records, store::Batch* batch, Arena* arena);

  const ProcessorCounters& counters() const { return counters_; }
  // Events each rule fired on (every rule that fired, not only the deciding one), by
  // rule id, over every pack this processor has run.
  std::vector<std::pair<std::string, int64_t>> rule_hits() const;
  // Decision latency (decode start to decision), nanoseconds.
  const Histogram& latency_ns() const { return latency_ns_; }
  const rules::Engine& engine() const { return *engine_; }
  size_t users() const { return users_.size(); }

 private:
  void process_one(const stream::Record& record, store::Batch* batch, Arena* arena);
  void dead_letter(const stream::Record& record, const Error& error, store::Batch* batch,
                   Arena* arena);
  uint32_t user_slot(std::string_view user_id);
  // The model's score for features_; with `decides`, may raise `decision` to FLAG and add
  // the model's reason to reasons_.
  double apply_model(domain::Decision* decision);

  std::shared_ptr<const rules::RulePack> pack_;
  const PiiProtector& pii_;
  const Clock& clock_;
  codec::EventDecoder decoder_;
  std::unique_ptr<codec::RowDecoder> rows_;  // set: records are delimited rows
  TruthSink truth_;
  std::unique_ptr<rules::Engine> engine_;  // owns the per-key rule state
  UserIndex users_;
  std::vector<Instant> dim_last_seen_;  // per user slot: last_txn_at from dim_users
  UserHomes homes_;
  rules::MerchantRisks merchant_risks_;
  PiiMemo pii_memo_;
  RecentIds recent_ids_;
  // Newest accepted event time: with the wall clock, bounds how far ahead of the stream
  // an event may claim to be (one far-future time would blind a user's window rules).
  Instant watermark_ = 0;
  Instant wall_now_ = 0;                         // refreshed once per process_all() call
  std::vector<std::string> alert_types_;         // "R001 high_amount_night" per rule
  std::vector<int64_t> hits_;                    // events each rule of the pack fired on
  std::map<std::string, int64_t> retired_hits_;  // by rule id, of packs swapped out
  std::string reasons_;                          // this event's reason texts (reused buffer)
  std::shared_ptr<const model::Model> model_;
  double model_threshold_ = 0.5;
  double model_confirm_ = 0;
  double threshold_override_ = 0;       // > 0: the operator's threshold, kept across reloads
  bool model_changed_reasons_ = false;  // the last apply_model() wrote reasons_
  ModelPolicy model_policy_ = ModelPolicy::kShadow;
  FeatureSink feature_sink_;
  std::vector<double> features_;       // this event's model features
  std::vector<double> contributions_;  // and what each added to the model's score
  struct Retired {
    std::shared_ptr<const rules::RulePack> pack;
    std::vector<std::string> alert_types;
  };
  std::vector<Retired> retired_;  // packs swapped out (one per reload; small)
  ProcessorCounters counters_;
  Histogram latency_ns_;
};

}  // namespace wf::pipeline
