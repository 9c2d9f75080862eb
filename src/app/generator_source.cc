#include "app/generator_source.h"

#include <algorithm>
#include <thread>

#include "codec/label_codec.h"

namespace wf::app {

GeneratorSource::GeneratorSource(gen::StreamGenerator& generator, const Clock& clock, double rate,
                                 OutputFile* labels)
    : generator_(generator),
      clock_(clock),
      rate_(rate),
      labels_(labels),
      name_("generator:ph-ewallet:" + format_utc(clock.now())),
      start_us_(clock.monotonic_us()) {}

Status GeneratorSource::next(stream::RecordBatch* out, size_t max_records) {
  out->records.clear();
  out->end_of_input = false;
  int64_t elapsed = clock_.monotonic_us() - start_us_;
  int64_t due = static_cast<int64_t>(static_cast<double>(elapsed) * rate_ / 1e6) - emitted_;
  if (due <= 0) {
    // Sleep until the next event is due (at most 5 ms, so a stop is seen quickly).
    int64_t wait_us = static_cast<int64_t>(1e6 / rate_) -
                      (elapsed % static_cast<int64_t>(std::max(1.0, 1e6 / rate_)));
    std::this_thread::sleep_for(std::chrono::microseconds(std::clamp<int64_t>(wait_us, 100, 5000)));
    out->end_position = emitted_;
    return Status::Ok();
  }
  size_t n = std::min(static_cast<size_t>(due), max_records);
  buffer_.clear();
  spans_.clear();
  // Event i is stamped when it was due, so timestamps are evenly spread, not bunched
  // per batch.
  Instant wall_start = clock_.now() - elapsed;
  for (size_t i = 0; i < n; ++i) {
    size_t begin = buffer_.size();
    Instant at = wall_start + static_cast<int64_t>(static_cast<double>(emitted_ + i) * 1e6 / rate_);
    bool good = generator_.next_at(at, &buffer_, &label_);
    size_t end = buffer_.size();
    if (end > begin && buffer_[end - 1] == '\n') --end;
    spans_.emplace_back(begin, end - begin);
    if (good && labels_ != nullptr) {
      codec::append_label_line(&labels_->buffer(), label_.transaction_id, label_.is_fraud,
                               label_.pattern);
    }
  }
  if (labels_ != nullptr) WF_RETURN_IF_ERROR(labels_->maybe_flush());
  buffer_.append(stream::kRecordPadding, ' ');
  for (size_t i = 0; i < spans_.size(); ++i) {
    out->records.push_back(stream::Record{
        std::string_view(buffer_.data() + spans_[i].first, spans_[i].second), emitted_, false});
    ++emitted_;
  }
  out->end_position = emitted_;
  return Status::Ok();
}

}  // namespace wf::app
