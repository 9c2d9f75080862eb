// A buffered output file (or stdout for "-"). Full buffers are written by a background
// thread while the caller fills the other buffer, so producing and write(2) overlap.
// One producer thread; flush() waits for everything handed over to be written.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"

namespace wf::app {

class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // The buffer to append to; valid until the next maybe_flush()/flush().
  std::string& buffer() { return filling_; }
  // Hands the buffer to the writer thread once it passes the threshold.
  Status maybe_flush() { return filling_.size() >= kFlushBytes ? hand_over() : Status::Ok(); }
  // Writes everything appended so far; returns the first write error, if any.
  Status flush();
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  OutputFile(int fd, std::string path);
  Status hand_over();
  void write_loop();
  Status write_all(const std::string& data);

  int fd_;
  std::string path_;
  std::string filling_;
  std::string writing_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool pending_ = false;  // writing_ holds data for the writer thread
  bool closing_ = false;
  Error error_;
  std::thread writer_;
};

}  // namespace wf::app
