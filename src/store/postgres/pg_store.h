// Store on a PostgreSQL 15 server (SPEC section 5 in schemas silver, gold and ops).
// A batch is one transaction: the positions are checked and locked (fencing), its ids
// enter silver.transaction_ids, the facts whose ids were new are COPYed (binary) into
// the month partitions of silver.fact_transactions, then alerts, dead letters and
// positions. A lost connection is retried with backoff on a new one; a batch whose
// commit was in flight when the connection broke is recognised by its positions and
// not stored twice. One thread at a time.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "store/postgres/pg.h"
#include "store/retry.h"
#include "store/store.h"

namespace wf::store::postgres {

// The retry policy is for a lost connection (then the run fails).
struct PgOptions : RetryPolicy {
  int months_ahead = 3;  // partitions kept ready beyond the current month
};

class PgStore final : public Store {
 public:
  static Result<std::unique_ptr<PgStore>> open(const std::string& uri, PgOptions options = {});

  std::string_view kind() const override { return "postgresql"; }
  Status migrate() override;
  Status upsert_users(std::span<const domain::User> users) override;
  Status upsert_merchants(std::span<const domain::Merchant> merchants) override;
  Result<std::vector<domain::User>> load_users() override;
  Result<std::vector<domain::Merchant>> load_merchants() override;
  Status upsert_products(std::span<const domain::Product> products) override;
  Result<std::vector<domain::Product>> load_products() override;
  Result<int64_t> load_offset(std::string_view source) override;
  Result<Instant> last_event_ts(std::string_view source) override;
  using Store::commit;
  Result<std::unique_ptr<Store>> open_writer() override;
  Result<CommitResult> commit(const Batch& batch, const CommitGate& gate) override;
  Result<Instant> last_processed_event_ts() override;
  Status scan_last_activity(Instant before,
                            const std::function<void(std::string_view, Instant)>& f) override;
  Status scan_facts(Instant from, Instant to,
                    const std::function<void(const StoredFact&)>& f) override;
  Status scan_facts_after(int64_t after, int64_t until, int64_t max, const SeqFactFn& f) override;
  Result<int64_t> last_fact_seq() override;
  Status scan_labels(const std::function<void(const LabelRow&)>& f) override;
  Status replace_labels(std::span<const LabelRow> labels) override;
  Status scan_eval(const std::function<void(const EvalRow&)>& f) override;
  Result<TableCounts> counts() override;
  Status exec_script(const std::vector<std::string>& statements) override;
  using Store::query_text;
  Result<int64_t> execute(std::string_view sql, const SqlParams& params) override;
  Result<std::vector<int64_t>> execute_all(const std::vector<Statement>& statements) override;
  Status query_text(std::string_view sql, const SqlParams& params,
                    const std::function<void(const std::vector<std::string_view>&)>& row) override;

  Result<int> maintain(int months_ahead) override;
  // Creates the month partitions of silver.fact_transactions from the current month to
  // `months_ahead` after it; returns how many were created.
  Result<int> ensure_partitions_ahead(int months_ahead);
  int64_t reconnects() const { return reconnects_; }

 private:
  PgStore(std::string uri, PgOptions options) : uri_(std::move(uri)), options_(options) {}
  Status reconnect();
  // Runs `attempt` until it succeeds, fails for a reason other than the connection, or
  // the retry time runs out; reconnects between attempts.
  template <class F>
  auto with_retry(std::string_view what, F attempt) -> decltype(attempt(false));
  Result<CommitResult> commit_once(const Batch& batch, const CommitGate& gate, bool retrying,
                                   int64_t* commit_seq);
  Status ensure_months(int64_t first_month, int64_t last_month, int* created);

  std::string uri_;
  PgOptions options_;
  Conn conn_;
  std::set<int64_t> months_;  // partitions known to exist (months since year 0)
  std::string copy_;          // reused COPY buffers
  std::string ids_;
  int64_t reconnects_ = 0;
};

}  // namespace wf::store::postgres
