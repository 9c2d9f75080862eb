// A buffered output file (or stdout for "-") written with large write(2) calls.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace wf::app {

class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path);
  ~OutputFile();
  // Appends to the buffer; writes it out once it passes the flush threshold.
  std::string& buffer() { return buffer_; }
  Status maybe_flush() { return buffer_.size() >= kFlushBytes ? flush() : Status::Ok(); }
  Status flush();
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  OutputFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    buffer_.reserve(kFlushBytes + (128 << 10));
  }
  int fd_;
  std::string path_;
  std::string buffer_;
};

}  // namespace wf::app
