// Hands a newly loaded rule pack from the thread that loaded it (the rules file watcher)
// to the scoring thread, which takes it between records. Thread-safe; holds at most the
// newest pack (an older one not yet taken is replaced).
#pragma once

#include <memory>
#include <mutex>

#include "model/model_file.h"
#include "rules/pack.h"

namespace wf::pipeline {

class RulesMailbox {
 public:
  void post(std::shared_ptr<const rules::RulePack> pack) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(pack);
  }
  // A pack compiled with a model's features, and that model (process --model).
  void post(std::shared_ptr<const rules::RulePack> pack, std::shared_ptr<const model::Model> m) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(pack);
    pending_model_ = std::move(m);
  }
  // The pack posted since the last take, or null.
  std::shared_ptr<const rules::RulePack> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(pending_);
  }
  // The model posted with the pack take() returned last, or null (keep the running one).
  std::shared_ptr<const model::Model> take_model() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(pending_model_);
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const rules::RulePack> pending_;
  std::shared_ptr<const model::Model> pending_model_;
};

}  // namespace wf::pipeline
