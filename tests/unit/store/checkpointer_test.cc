// The background checkpointer keeps the WAL from growing while the writer never runs a
// checkpoint itself.
#include "store/sqlite/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace wf::store::sqlite {
namespace {

// Commits `batches` transactions of 50 rows on a WAL database with SQLite's own automatic
// checkpoint off; returns the WAL file's size at the end.
uintmax_t wal_size_after(const std::string& path, int batches, bool with_checkpointer,
                         int64_t* checkpoints) {
  Db db = std::move(Db::open(path)).value();
  EXPECT_TRUE(db.exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                      "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
                  .ok());
  std::unique_ptr<Checkpointer> checkpointer;
  if (with_checkpointer) {
    checkpointer = std::move(Checkpointer::start(path, db.handle(), 8, 1 << 30)).value();
  }
  Stmt insert = std::move(db.prepare("INSERT INTO t VALUES (?1, ?2)")).value();
  const std::string value(200, 'x');
  for (int b = 0; b < batches; ++b) {
    EXPECT_TRUE(db.exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < 50; ++i) {
      std::string key = std::to_string((b * 50 + i) * 7919 % 1000003);
      insert.bind(1, key);
      insert.bind(2, value);
      EXPECT_TRUE(insert.run().ok());
    }
    EXPECT_TRUE(db.exec("COMMIT").ok());
    if (b % 10 == 9) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  uintmax_t size = std::filesystem::file_size(path + "-wal");
  if (checkpointer) *checkpoints = checkpointer->checkpoints();
  // Everything is readable from another connection.
  Db reader = std::move(Db::open(path)).value();
  Stmt count = std::move(reader.prepare("SELECT COUNT(*) FROM t")).value();
  EXPECT_TRUE(*count.step());
  EXPECT_EQ(count.column_int(0), batches * 50);
  return size;
}

TEST(Checkpointer, KeepsTheWalSmallWithoutTheWriterCheckpointing) {
  wf::testing::TempDir dir;
  int64_t checkpoints = 0;
  uintmax_t unchecked = wal_size_after(dir.file("a.db"), 400, false, nullptr);
  uintmax_t checked = wal_size_after(dir.file("b.db"), 400, true, &checkpoints);
  EXPECT_GT(checkpoints, 0);
  // Without it the WAL holds all 20,000 rows' pages; with it the WAL starts over. (How
  // often it gets to depends on the scheduler: a loaded CI machine measured 3.2x less.)
  EXPECT_LT(checked * 2, unchecked) << checked << " vs " << unchecked;
}

}  // namespace
}  // namespace wf::store::sqlite
