// Hot reload of a rules file for `process` and `run`: a background thread notices a
// changed file (polled every 250 ms: modification time, size, inode, so an editor's
// save-by-rename counts) or a SIGHUP, loads and compiles it off the scoring path, and
// posts a valid pack to the Runner's mailbox. An invalid file leaves the running rules in
// place: the error is logged and counted. Stops and joins on destruction.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "app/args.h"
#include "pipeline/rules_mailbox.h"
#include "pipeline/runner.h"
#include "rules/pack.h"

namespace wf::app {

class RulesWatcher {
 public:
  RulesWatcher(std::string path, std::string running_version, pipeline::RulesMailbox& mailbox);
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
  void reload();

  std::string path_;
  std::string version_;
  pipeline::RulesMailbox& mailbox_;
  FileId seen_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> reloads_{0};
  std::atomic<int64_t> errors_{0};
  std::thread thread_;
};

// Makes SIGHUP request a reload from every RulesWatcher (instead of ending the process).
void install_reload_handler();

// With --rules FILE: installs the SIGHUP handler and a watcher of FILE posting to
// `mailbox`, and points `options` at the mailbox. Null without --rules.
std::unique_ptr<RulesWatcher> watch_rules_option(const Args& args, const rules::RulePack& running,
                                                 pipeline::RulesMailbox& mailbox,
                                                 pipeline::RunnerOptions* options);

}  // namespace wf::app
