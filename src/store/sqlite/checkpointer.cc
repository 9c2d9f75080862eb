#include "store/sqlite/checkpointer.h"

#include "core/thread.h"

namespace wf::store::sqlite {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& path, sqlite3* writer,
                                                          int wake_frames, int inline_frames) {
  auto db = Db::open(path);
  if (!db.ok()) return db.take_error();
  // Opens the file now (connections open lazily; a checkpoint on one that has not read
  // anything does nothing).
  WF_RETURN_IF_ERROR(db->exec("PRAGMA journal_mode=WAL"));
  std::unique_ptr<Checkpointer> c(
      new Checkpointer(std::move(*db), writer, wake_frames, inline_frames));
  c->thread_ = spawn_quiet_thread([p = c.get()] { p->loop(); });
  // Replaces SQLite's automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(writer, &Checkpointer::on_wal, c.get());
  return c;
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int Checkpointer::on_wal(void* self, sqlite3* db, const char* name, int frames) {
  auto* c = static_cast<Checkpointer*>(self);
  if (frames >= c->inline_frames_) {
    // Behind: copy the rest here (little, as the thread copied most); the next write
    // then starts the WAL over. SQLITE_BUSY while the thread runs one is fine.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames >= c->wake_frames_) {
    {
      std::lock_guard<std::mutex> lock(c->mutex_);
      c->wake_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return wake_ || stop_; });
    if (stop_) return;
    wake_ = false;
    lock.unlock();
    // PASSIVE: never blocks the writer or readers; copies what no reader still needs.
    int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                       nullptr);
    if (rc == SQLITE_OK) {
      checkpoints_.fetch_add(1);
    }
    lock.lock();
  }
}

}  // namespace wf::store::sqlite
