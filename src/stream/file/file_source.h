// Line-delimited records from a file or stdin, read in large chunks with one buffer that
// is reused (no per-record allocation). Positions are byte offsets. A last line without
// a newline is a record at end of input. A line longer than the buffer comes out as one
// truncated record (its first MiB; an OVERSIZED dead letter) and the batch ends after
// the whole line, so positions are always line boundaries. Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "stream/source.h"

namespace wf::stream::file {

class FileSource final : public Source {
 public:
  // "-" means stdin. kIo when the file cannot be opened.
  static Result<std::unique_ptr<FileSource>> open(const std::string& path,
                                                  size_t buffer_bytes = 8 << 20);
  ~FileSource() override;

  const std::string& name() const override { return name_; }
  bool resumable() const override { return fd_ != 0; }
  Status seek(int64_t position) override;
  Status next(RecordBatch* out, size_t max_records) override;

 private:
  FileSource(int fd, std::string name, size_t buffer_bytes);
  Status fill();
  Status take_oversized_line(RecordBatch* out);

  int fd_;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;       // usable bytes; kRecordPadding more are allocated
  size_t begin_ = 0;      // first unconsumed byte in buffer_
  size_t end_ = 0;        // one past the last valid byte in buffer_
  int64_t position_ = 0;  // file offset of buffer_[begin_]
  bool eof_ = false;
  std::string oversized_;  // kept prefix of the last oversized line (+ padding)
  static constexpr size_t kMaxKeptPrefix = 1 << 20;
};

}  // namespace wf::stream::file
