// Hands a newly loaded rule pack from the thread that loaded it (the rules file watcher)
// to the scoring thread, which takes it between records. Thread-safe; holds at most the
// newest pack (an older one not yet taken is replaced).
#pragma once

#include <memory>
#include <mutex>

#include "rules/pack.h"

namespace wf::pipeline {

class RulesMailbox {
 public:
  void post(std::shared_ptr<const rules::RulePack> pack) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(pack);
  }
  // The pack posted since the last take, or null.
  std::shared_ptr<const rules::RulePack> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(pending_);
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const rules::RulePack> pending_;
};

}  // namespace wf::pipeline
