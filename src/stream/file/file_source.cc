#include "stream/file/file_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/time.h"

namespace wf::stream::file {

Result<std::unique_ptr<FileSource>> FileSource::open(const std::string& path, size_t buffer_bytes) {
  if (path == "-") {
    // A pipe has no stable positions: name each run apart, so its dead letters (unique
    // per source and position) never collide with an earlier run's.
    std::string name = "stdin:" + format_utc(SystemClock().now());
    return std::unique_ptr<FileSource>(new FileSource(0, std::move(name), buffer_bytes));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  }
  std::error_code ec;
  auto abs = std::filesystem::weakly_canonical(path, ec);
  std::string name = "file:" + (ec ? path : abs.string());
  return std::unique_ptr<FileSource>(new FileSource(fd, std::move(name), buffer_bytes));
}

FileSource::FileSource(int fd, std::string name, size_t buffer_bytes)
    : fd_(fd),
      name_(std::move(name)),
      buffer_(new char[buffer_bytes + kRecordPadding]),
      capacity_(buffer_bytes) {
  std::memset(buffer_.get() + capacity_, 0, kRecordPadding);
}

FileSource::~FileSource() {
  if (fd_ > 0) ::close(fd_);
}

Status FileSource::seek(int64_t position) {
  if (fd_ == 0) {
    return make_error(Errc::kInvalidArgument, "stdin cannot seek");
  }
  if (::lseek(fd_, position, SEEK_SET) < 0) {
    return make_error(Errc::kIo, name_ + ": seek failed: " + std::strerror(errno));
  }
  begin_ = end_ = 0;
  position_ = position;
  eof_ = false;
  return Status::Ok();
}

// Moves unconsumed bytes to the front and reads more after them.
Status FileSource::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < capacity_ && !eof_) {
    ssize_t n = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
    if (n < 0) {
      // Interrupted (Ctrl-C on a pipe): return what is here so the caller can see its
      // stop flag; a later call reads on.
      if (errno == EINTR) break;
      return make_error(Errc::kIo, name_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    end_ += static_cast<size_t>(n);
    if (fd_ == 0) break;  // a pipe: hand out what arrived rather than wait for a full buffer
  }
  // Padding after the valid bytes must be readable; zero it so reads are deterministic.
  std::memset(buffer_.get() + end_, 0, std::min(kRecordPadding, capacity_ + kRecordPadding - end_));
  return Status::Ok();
}

// A line longer than the whole buffer: keep its first kMaxKeptPrefix bytes (the record,
// marked truncated), then read and discard up to its newline (or the end of input), so
// the batch's end position is always at a line boundary.
Status FileSource::take_oversized_line(RecordBatch* out) {
  int64_t line_start = position_;
  size_t keep = std::min(end_ - begin_, kMaxKeptPrefix);
  oversized_.assign(buffer_.get() + begin_, keep);
  oversized_.append(kRecordPadding, '\0');
  for (;;) {
    const char* base = buffer_.get();
    const char* nl = static_cast<const char*>(std::memchr(base + begin_, '\n', end_ - begin_));
    if (nl != nullptr) {
      size_t consumed = static_cast<size_t>(nl - (base + begin_)) + 1;
      position_ += static_cast<int64_t>(consumed);
      begin_ += consumed;
      break;
    }
    position_ += static_cast<int64_t>(end_ - begin_);
    begin_ = end_;
    if (eof_) break;
    WF_RETURN_IF_ERROR(fill());
    if (end_ == begin_ && eof_) break;
  }
  out->records.push_back(Record{std::string_view(oversized_.data(), keep), line_start, true});
  return Status::Ok();
}

Status FileSource::next(RecordBatch* out, size_t max_records) {
  out->records.clear();
  out->end_of_input = false;
  // Records must not be moved by fill() once handed out, so fill only before the first.
  bool filled = false;
  while (out->records.size() < max_records) {
    char* base = buffer_.get();
    const char* nl = static_cast<const char*>(std::memchr(base + begin_, '\n', end_ - begin_));
    if (nl == nullptr) {
      if (!out->records.empty()) break;  // hand these out first; the rest needs a refill
      if (!filled && !eof_) {
        WF_RETURN_IF_ERROR(fill());
        filled = true;
        continue;
      }
      if (begin_ == 0 && end_ == capacity_) {
        WF_RETURN_IF_ERROR(take_oversized_line(out));
        break;
      }
      if (eof_) {
        if (end_ > begin_) {  // last line without a newline
          out->records.push_back(
              Record{std::string_view(base + begin_, end_ - begin_), position_, false});
          position_ += static_cast<int64_t>(end_ - begin_);
          begin_ = end_;
        }
        out->end_of_input = out->records.empty();
        break;
      }
      break;  // a pipe with a partial line: come back for the rest
    }
    size_t len = static_cast<size_t>(nl - (base + begin_));
    size_t record_len = len > 0 && base[begin_ + len - 1] == '\r' ? len - 1 : len;
    if (record_len > 0) {
      out->records.push_back(Record{std::string_view(base + begin_, record_len), position_, false});
    }
    position_ += static_cast<int64_t>(len + 1);
    begin_ += len + 1;
  }
  out->end_position = position_;
  return Status::Ok();
}

}  // namespace wf::stream::file
