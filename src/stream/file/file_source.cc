#include "stream/file/file_source.h"

#include <fcntl.h>
#include <unistd.h>

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
  skipping_ = false;
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
      if (errno == EINTR) continue;
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

Status FileSource::next(RecordBatch* out, size_t max_records) {
  out->records.clear();
  out->end_of_input = false;
  // Records must not be moved by fill() once handed out, so fill only before the first.
  bool filled = false;
  while (out->records.size() < max_records) {
    char* base = buffer_.get();
    const char* nl = static_cast<const char*>(std::memchr(base + begin_, '\n', end_ - begin_));
    if (nl == nullptr) {
      if (!filled && out->records.empty() && !eof_) {
        WF_RETURN_IF_ERROR(fill());
        filled = true;
        continue;
      }
      if (!out->records.empty()) break;  // hand these out first; the rest needs a refill
      if (eof_) {
        if (end_ > begin_) {  // last line without a newline
          out->records.push_back(
              Record{std::string_view(base + begin_, end_ - begin_), position_, skipping_});
          position_ += static_cast<int64_t>(end_ - begin_);
          begin_ = end_;
          skipping_ = false;
        }
        out->end_of_input = true;
        break;
      }
      if (begin_ == 0 && end_ == capacity_) {
        // A line longer than the buffer: emit its prefix once, then skip to its end.
        if (!skipping_) {
          out->records.push_back(Record{std::string_view(base, end_), position_, true});
          skipping_ = true;
        }
        position_ += static_cast<int64_t>(end_);
        begin_ = end_ = 0;
        if (!out->records.empty()) break;
        WF_RETURN_IF_ERROR(fill());
        continue;
      }
      break;
    }
    size_t len = static_cast<size_t>(nl - (base + begin_));
    size_t record_len = len > 0 && base[begin_ + len - 1] == '\r' ? len - 1 : len;
    if (skipping_) {
      skipping_ = false;  // the tail of a truncated line: already reported
    } else if (record_len > 0) {
      out->records.push_back(Record{std::string_view(base + begin_, record_len), position_, false});
    }
    position_ += static_cast<int64_t>(len + 1);
    begin_ += len + 1;
  }
  out->end_position = position_;
  return Status::Ok();
}

}  // namespace wf::stream::file
