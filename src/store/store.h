// The warehouse interface: silver tables, alerts, dead letters, labels and source offsets
// (SPEC section 5). A batch's rows and the source position it consumed commit in ONE
// transaction, which is what makes processing exactly-once. Implementations: SQLite
// (embedded default), PostgreSQL later. A Store is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/decision.h"
#include "domain/dims.h"
#include "domain/transaction.h"

namespace wf::store {

// One scored transaction. Views must stay valid until commit() returns.
struct FactRow {
  std::string_view transaction_id;
  Instant event_ts = 0;
  std::string_view user_id;
  std::string_view merchant_id;
  std::string_view counterparty_id;
  std::string_view product_id;
  std::string_view transaction_type;
  int64_t amount_minor = 0;
  std::string_view currency;
  int64_t amount_php = 0;  // centavos
  std::string_view channel;
  std::string_view payment_method;
  std::string_view status;
  std::string_view country;
  std::string_view province;
  std::string_view city;
  bool has_location = false;
  double lat = 0;
  double lon = 0;
  std::string_view device_id;
  std::string_view ip_hash;
  std::string_view phone_hash;
  int64_t quantity = 0;
  int fraud_score = 0;
  // The trained model's probability of fraud (process --model); NaN when no model scored.
  double model_score = std::numeric_limits<double>::quiet_NaN();
  domain::Verdict verdict = domain::Verdict::kNormal;
  std::string_view rules_fired;      // "R001,R004"
  std::string_view ruleset_version;  // RulePack::version() of the rules that decided
  std::string_view reasons;          // "R003: 231 km from Cebu City in 6 min; ..." when fired
  std::string_view alert_type;       // id and name of the top rule, for FLAG rows
  int64_t processing_us = 0;
  int64_t source_offset = 0;
  std::string_view source;  // the record's position name (Kafka partition); empty: batch's
};

struct DeadLetterRow {
  int64_t source_offset = 0;
  Errc code = Errc::kMalformedJson;
  std::string_view message;
  std::string_view raw;     // PII already redacted by the pipeline
  std::string_view source;  // as in FactRow
};

// One position of a multi-position source (a Kafka partition) moved by a batch.
struct SourcePosition {
  std::string name;  // "kafka:topic/3"
  // The stored position this batch continues from (0 when none is stored). The commit
  // fails with kConflict when the store holds another: someone else consumed the
  // partition meanwhile (a consumer that lost it in a rebalance), so its rows would be
  // duplicates. This is what makes handing partitions between instances exactly once.
  int64_t from = 0;
  int64_t next = 0;  // the position to resume from after this batch
};

struct Batch {
  std::string_view source;  // "file:/abs/path", "stdin", "generator"
  int64_t end_offset = 0;   // source position after the last record of the batch
  // Multi-position sources (Kafka partitions): the positions the batch moved, stored in
  // source_offsets in the same transaction; rows then name their position.
  std::vector<SourcePosition> positions;
  // When each record entered the source (ms since the epoch), where the source knows:
  // for end-to-end latency, measured once the batch commits. Not stored.
  std::vector<int64_t> source_times_ms;
  Instant received_at = 0;  // wall time, stored on dead letters
  std::vector<FactRow> facts;
  std::vector<DeadLetterRow> dead_letters;
  // Records dropped before the store as resent ids (the pipeline's recent-id filter): the
  // position name of each (as FactRow::source), counted as read and as duplicates.
  std::vector<std::string_view> dropped_duplicates;
};

// What a batch moves at each of its positions, kept with the position in
// source_offsets: index i < batch.positions.size() is batch.positions[i], the last index
// is batch.source (rows without a position name).
struct PositionTally {
  // Event time of the last fact (processing order), 0 if none (Store::last_event_ts).
  std::vector<Instant> last_ts;
  // Records read: facts + dead letters. With the duplicates dropped, what reconciliation
  // (walletflow quality) compares with the rows stored for the position.
  std::vector<int64_t> records;
  std::vector<int64_t> duplicates;   // counted by the store as it drops facts
  std::vector<uint32_t> fact_index;  // the position of each of batch.facts
  size_t own() const { return last_ts.size() - 1; }
};
PositionTally tally_positions(const Batch& batch);

struct CommitResult {
  int64_t facts = 0;       // rows stored
  int64_t duplicates = 0;  // facts dropped because the transaction_id was already stored
  int64_t alerts = 0;
  int64_t dead_letters = 0;
};

// A stored transaction as the rules saw it (for replays: backtest) and its decision.
// String views are valid during the callback only.
struct StoredFact {
  domain::Transaction tx;  // amount in its own currency; country upper-case
  int64_t amount_php = 0;  // in the pack's base currency, as scored
  int fraud_score = 0;
  domain::Verdict verdict = domain::Verdict::kNormal;
  std::string_view rules_fired;
  std::string_view reasons;
  std::string_view ruleset_version;
  int64_t processing_us = 0;  // decision time
};

struct LabelRow {
  std::string transaction_id;
  bool is_fraud = false;
  std::string pattern;
  int baseline = -1;  // a baseline detector's verdict (PaySim isFlaggedFraud); -1: none
};

// A label joined with the stored decision (or none when the event is not stored).
struct EvalRow {
  bool labelled = false;
  bool is_fraud = false;
  std::string_view pattern;
  bool stored = false;
  domain::Verdict verdict = domain::Verdict::kNormal;
  std::string_view rules_fired;
  int fraud_score = 0;
  double model_score = std::numeric_limits<double>::quiet_NaN();  // NaN: not scored
  int baseline = -1;                                              // as in LabelRow
};

using SqlParams = std::vector<std::optional<std::string>>;

struct TableCounts {
  int64_t users = 0;
  int64_t merchants = 0;
  int64_t facts = 0;
  int64_t alerts = 0;
  int64_t dead_letters = 0;
  int64_t labels = 0;
};

// Store operations retried after a transient failure (PostgreSQL unreachable, disk
// full), by every store of this process: process's summary and the metrics report it.
int64_t transient_retries();
void count_transient_retry();

class Store {
 public:
  virtual ~Store() = default;

  virtual std::string_view kind() const = 0;
  // Creates missing tables and indexes; safe to call on every start.
  virtual Status migrate() = 0;

  virtual Status upsert_users(std::span<const domain::User> users) = 0;
  virtual Status upsert_merchants(std::span<const domain::Merchant> merchants) = 0;
  virtual Result<std::vector<domain::User>> load_users() = 0;
  virtual Result<std::vector<domain::Merchant>> load_merchants() = 0;
  // dim_products (the ecommerce profile), upserted on product_id; loaded by id.
  virtual Status upsert_products(std::span<const domain::Product> products) = 0;
  virtual Result<std::vector<domain::Product>> load_products() = 0;

  // Position to resume `source` from; 0 when never seen.
  virtual Result<int64_t> load_offset(std::string_view source) = 0;
  // Event time of the last transaction stored from `source` (processing order); 0 if
  // none. Per position: where a partition's rule state must be rebuilt from.
  virtual Result<Instant> last_event_ts(std::string_view source) = 0;
  // Stores facts (dropping duplicate ids), an alert per FLAG fact, dead letters and the
  // new offset of batch.source and of each of batch.positions, atomically. kConflict
  // (and nothing stored) when a position's stored value is not its `from`.
  Result<CommitResult> commit(const Batch& batch) { return commit(batch, CommitGate()); }
  // Hooks for several writers on one store (each with its own connection): batches are
  // written at the same time yet take their place in processing order, and commit, in
  // the order they were read. Unset hooks are skipped; an error from a hook aborts.
  struct CommitGate {
    std::function<Status()> before_ordering;  // wait until the previous batch is ordered
    std::function<void()> ordered;            // this batch has its place in the order
    std::function<Status()> before_commit;    // wait until the previous batch committed
  };
  virtual Result<CommitResult> commit(const Batch& batch, const CommitGate& gate) = 0;
  // Another connection to the same store, for a second writer; nullptr when transactions
  // cannot overlap usefully (SQLite has one writer at a time).
  virtual Result<std::unique_ptr<Store>> open_writer() { return std::unique_ptr<Store>(); }

  // Event time of the most recently stored transaction (processing order); 0 if none.
  virtual Result<Instant> last_processed_event_ts() = 0;
  // Latest event time per user over the stored transactions with event_ts < before.
  virtual Status scan_last_activity(Instant before,
                                    const std::function<void(std::string_view, Instant)>& f) = 0;
  // Stored transactions with from <= event_ts < to, in processing order.
  virtual Status scan_facts(Instant from, Instant to,
                            const std::function<void(const StoredFact&)>& f) = 0;
  // Following the pipeline from another process (`serve`): the facts with after < seq <=
  // until in processing order, at most `max`, each with its sequence (SQLite's rowid;
  // PostgreSQL's ingest_seq, commit number << 20 | row), and the latest sequence (0 if
  // none).
  using SeqFactFn = std::function<void(const StoredFact&, int64_t seq)>;
  virtual Status scan_facts_after(int64_t after, int64_t until, int64_t max,
                                  const SeqFactFn& f) = 0;
  virtual Result<int64_t> last_fact_seq() = 0;

  virtual Status replace_labels(std::span<const LabelRow> labels) = 0;
  virtual Status scan_labels(const std::function<void(const LabelRow&)>& f) = 0;
  // Every label and every stored fact, joined on transaction_id.
  virtual Status scan_eval(const std::function<void(const EvalRow&)>& f) = 0;

  virtual Result<TableCounts> counts() = 0;

  // Runs `statements` in one transaction: all of them or none (gold mart builds).
  virtual Status exec_script(const std::vector<std::string>& statements) = 0;
  // Runs a query; each row's columns as text (NULL as empty). Reads a little at a time.
  Status query_text(std::string_view sql,
                    const std::function<void(const std::vector<std::string_view>&)>& row) {
    return query_text(sql, {}, row);
  }
  // One statement that writes (INSERT, UPDATE, DELETE), parameters as for query_text;
  // returns the rows it changed. Its own transaction.
  virtual Result<int64_t> execute(std::string_view sql, const SqlParams& params) = 0;
  // Several such statements in one transaction: all of them or none. The rows each
  // changed.
  struct Statement {
    std::string sql;
    SqlParams params;
  };
  virtual Result<std::vector<int64_t>> execute_all(const std::vector<Statement>& statements) = 0;
  // With parameters $1, $2, ... bound as text (nullopt: NULL), never spliced into the
  // SQL: what the API's filters go through. Each store casts them by context.
  virtual Status query_text(
      std::string_view sql, const SqlParams& params,
      const std::function<void(const std::vector<std::string_view>&)>& row) = 0;

  // Routine upkeep (`walletflow store maintain`, also at start): PostgreSQL creates the
  // month partitions up to `months_ahead` after the current one and refreshes planner
  // statistics; SQLite checkpoints and truncates its WAL and refreshes statistics.
  // Returns how many partitions were created.
  virtual Result<int> maintain(int months_ahead) = 0;
};

// For statements built as text (marts, quality checks, jobs): 'it''s'.
std::string sql_literal(std::string_view text);
// A table as a store of `kind` names it: PostgreSQL keeps silver, gold (mart_*) and ops
// schemas; SQLite has none.
std::string table_name(std::string_view kind, std::string_view table);

// A time column (or expression) as fixed-width UTC text, "2026-11-25T10:05:56.123456Z",
// on a store of `kind`: what SQLite keeps, what PostgreSQL formats; parse_rfc3339 reads it.
std::string utc_text(std::string_view kind, const std::string& column);
// The first column of the first row of `sql` as an integer (COUNT(*), MAX(...)); nullopt
// when there is no row or it is NULL; kConfig when it is not an integer.
Result<std::optional<int64_t>> query_int(Store& store, const std::string& sql,
                                         const SqlParams& params = {});

// Opens "sqlite:PATH" (or a bare path ending in .db); kInvalidArgument for other URIs.
Result<std::unique_ptr<Store>> open_store(std::string_view uri);

}  // namespace wf::store
