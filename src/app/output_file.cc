#include "app/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/thread.h"

namespace wf::app {

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<OutputFile>(new OutputFile(1, "stdout"));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(Errc::kIo, "cannot write '" + path + "': " + std::strerror(errno));
  }
  return std::unique_ptr<OutputFile>(new OutputFile(fd, path));
}

OutputFile::OutputFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  filling_.reserve(kFlushBytes + (128 << 10));
  writing_.reserve(kFlushBytes + (128 << 10));
  writer_ = spawn_quiet_thread([this] { write_loop(); });
}

OutputFile::~OutputFile() {
  (void)flush();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  cv_.notify_all();
  writer_.join();
  if (fd_ > 2) ::close(fd_);
}

Status OutputFile::write_all(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::kIo, "write to '" + path_ + "' failed: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void OutputFile::write_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return pending_ || closing_; });
    if (!pending_) return;
    lock.unlock();
    Status s = write_all(writing_);
    lock.lock();
    if (!s.ok() && error_.code == Errc::kOk) error_ = s.take_error();
    writing_.clear();
    pending_ = false;
    cv_.notify_all();
  }
}

Status OutputFile::hand_over() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return !pending_; });
  if (error_.code != Errc::kOk) return error_;
  filling_.swap(writing_);
  pending_ = true;
  cv_.notify_all();
  return Status::Ok();
}

Status OutputFile::flush() {
  if (!filling_.empty()) WF_RETURN_IF_ERROR(hand_over());
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return !pending_; });
  return error_.code == Errc::kOk ? Status::Ok() : Status(error_);
}

}  // namespace wf::app
