// Copies the WAL back into the database on its own thread and connection, so a commit
// never waits for a checkpoint. SQLite's automatic checkpoint runs inside the commit that
// crosses the threshold: with a WAL of thousands of pages that is ~100 ms, the tail of
// the end-to-end latency of a live stream. The writer connection's WAL hook wakes this
// thread after commits once the WAL holds kWakeFrames; if it ever falls behind, the
// writer checkpoints what is left itself at kInlineFrames, which bounds the WAL.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "store/sqlite/db.h"

namespace wf::store::sqlite {

class Checkpointer {
 public:
  static constexpr int kWakeFrames = 4096;
  static constexpr int kInlineFrames = 16384;

  // Opens a second connection to `path` and installs the WAL hook on `writer`.
  static Result<std::unique_ptr<Checkpointer>> start(const std::string& path, sqlite3* writer,
                                                     int wake_frames = kWakeFrames,
                                                     int inline_frames = kInlineFrames);
  ~Checkpointer();  // removes the hook, stops the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  int64_t checkpoints() const { return checkpoints_.load(); }

 private:
  Checkpointer(Db db, sqlite3* writer, int wake_frames, int inline_frames)
      : db_(std::move(db)),
        writer_(writer),
        wake_frames_(wake_frames),
        inline_frames_(inline_frames) {}
  static int on_wal(void* self, sqlite3* db, const char* name, int frames);
  void loop();

  Db db_;
  sqlite3* writer_;
  const int wake_frames_;
  const int inline_frames_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
  std::atomic<int64_t> checkpoints_{0};
  std::thread thread_;
};

}  // namespace wf::store::sqlite
