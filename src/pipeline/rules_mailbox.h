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
    pending_ = std::move(pack);  // compiled with the newest model's features: keep it
  }
  // A pack compiled with a model's features, and that model (process --model).
  void post(std::shared_ptr<const rules::RulePack> pack, std::shared_ptr<const model::Model> m) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(pack);
    pending_model_ = std::move(m);
  }
  // The pack posted since the last take, or null.
  std::shared_ptr<const rules::RulePack> take() { return take_both().pack; }
  // The pack and the model posted with it (null: keep the running model), taken together
  // so a pack never meets another post's model.
  struct Update {
    std::shared_ptr<const rules::RulePack> pack;
    std::shared_ptr<const model::Model> model;
  };
  Update take_both() {
    std::lock_guard<std::mutex> lock(mutex_);
    Update u{std::move(pending_), std::move(pending_model_)};
    pending_ = nullptr;
    pending_model_ = nullptr;
    return u;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const rules::RulePack> pending_;
  std::shared_ptr<const model::Model> pending_model_;
};

}  // namespace wf::pipeline
