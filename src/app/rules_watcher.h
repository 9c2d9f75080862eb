// Hot reload of a rules file and a model file for `process` and `run`: a background
// thread notices a changed file (polled every 250 ms: modification time, size, inode, so
// an editor's save-by-rename counts) or a SIGHUP, loads and compiles it off the scoring
// path (the rules with the model's features, when there is a model), and posts a valid
// pack (and model) to the Runner's mailbox. An invalid file leaves the running rules and
// model in place: the error is logged and counted. Stops and joins on destruction.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "app/args.h"
#include "model/model_file.h"
#include "pipeline/processor.h"
#include "pipeline/rules_mailbox.h"
#include "pipeline/runner.h"
#include "rules/pack.h"

namespace wf::app {

class RulesWatcher {
 public:
  // `path`: the rules file, or empty when the rules are fixed (`rules_text`, named
  // `rules_origin`). `model_path`: the model file, or empty; `model` the running one.
  RulesWatcher(std::string path, std::string rules_text, std::string rules_origin,
               std::string model_path, std::shared_ptr<const model::Model> model,
               std::string running_version, pipeline::RulesMailbox& mailbox);
  ~RulesWatcher();
  RulesWatcher(const RulesWatcher&) = delete;
  RulesWatcher& operator=(const RulesWatcher&) = delete;

  int64_t reloads() const { return reloads_.load(); }  // packs posted
  int64_t errors() const { return errors_.load(); }    // files refused

 private:
  struct FileId {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
  };
  static FileId identify(const std::string& path);
  void loop();
  void reload(bool reload_model);

  std::string path_;
  std::string rules_text_;
  std::string rules_origin_;
  std::string model_path_;
  std::shared_ptr<const model::Model> model_;
  std::string version_;
  pipeline::RulesMailbox& mailbox_;
  FileId seen_;
  FileId model_seen_;
  uint64_t model_content_ = 0;  // hash of the running model file's bytes
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> reloads_{0};
  std::atomic<int64_t> errors_{0};
  std::thread thread_;
};

// Makes SIGHUP request a reload from every RulesWatcher (instead of ending the process).
void install_reload_handler();

// With --rules FILE and/or --model FILE: installs the SIGHUP handler and a watcher of
// them posting to `mailbox`, and points `options` at the mailbox. Null with neither.
// `running` is the pack in use (compiled with `model`'s features when there is one).
std::unique_ptr<RulesWatcher> watch_rules_option(const Args& args, const rules::RulePack& running,
                                                 std::shared_ptr<const model::Model> model,
                                                 pipeline::RulesMailbox& mailbox,
                                                 pipeline::RunnerOptions* options);

// --model FILE, --model-policy, --model-threshold (process, run): the model, and `pack`
// recompiled with its features. Bad usage is kInvalidArgument; no --model: a null model.
struct ModelOption {
  std::shared_ptr<const model::Model> model;
  std::string policy = "combined";
  double threshold_override = 0;  // > 0 when --model-threshold was given
};
Result<ModelOption> load_model_option(const Args& args, rules::RulePack* pack);
// Sets the model on `processor` with the option's policy and threshold.
void apply_model_option(const ModelOption& option, pipeline::Processor& processor);
// The usage lines of those options.
extern const char* const kModelOptionsUsage;

// The running pack compiled with a model's features (checked against its manifest).
Result<rules::RulePack> pack_with_model(std::string_view rules_text, const std::string& origin,
                                        const model::Model& model, const std::string& model_path);

}  // namespace wf::app
