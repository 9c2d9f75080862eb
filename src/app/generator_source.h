// A Source that generates the ph-ewallet stream live at a fixed rate (events carry the
// wall-clock time): what `walletflow run` processes. Positions count generated lines;
// a live stream is not resumable (a restart generates new events). Labels go to an
// optional side file. Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "app/output_file.h"
#include "gen/ph_ewallet.h"
#include "stream/source.h"

namespace wf::app {

class GeneratorSource final : public stream::Source {
 public:
  GeneratorSource(gen::StreamGenerator& generator, const Clock& clock, double rate,
                  OutputFile* labels);

  const std::string& name() const override { return name_; }
  bool resumable() const override { return false; }
  Status seek(int64_t) override { return Status::Ok(); }
  Status next(stream::RecordBatch* out, size_t max_records) override;

 private:
  gen::StreamGenerator& generator_;
  const Clock& clock_;
  double rate_;
  OutputFile* labels_;
  std::string name_;  // "generator:ph-ewallet:<start time>", unique per run
  std::string buffer_;
  std::vector<std::pair<size_t, size_t>> spans_;
  int64_t start_us_;
  int64_t emitted_ = 0;
  gen::Label label_;
};

}  // namespace wf::app
