// Store on an embedded SQLite database: WAL, one write transaction per batch, prepared
// statements kept for the life of the store. Owns its connection; one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "store/retry.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace wf::store::sqlite {

// The retry policy is for a commit that finds the disk full (then the run fails).
struct SqliteOptions : RetryPolicy {
  // Called on the writer's thread after each wait for room, with the failure count.
  std::function<void(int failures)> on_disk_full;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   SqliteOptions options = {});

  std::string_view kind() const override { return "sqlite"; }
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

 private:
  SqliteStore(Db db, SqliteOptions options) : db_(std::move(db)), options_(options) {}
  Status prepare_statements();
  Result<CommitResult> write_batch(const Batch& batch);

  Db db_;
  SqliteOptions options_;
  Stmt insert_fact_;
  Stmt insert_alert_;
  Stmt insert_dead_letter_;
  Stmt upsert_offset_;
  Stmt select_offset_;
  bool prepared_ = false;
  std::unique_ptr<Checkpointer> checkpointer_;  // destroyed before db_
};

}  // namespace wf::store::sqlite
