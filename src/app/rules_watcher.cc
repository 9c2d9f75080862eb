#include "app/rules_watcher.h"

#include <csignal>
#include <memory>

#include "core/log.h"
#include "core/thread.h"
#include "rules/pack.h"

namespace wf::app {
namespace {

std::atomic<uint64_t>& hangups() {
  static std::atomic<uint64_t> count{0};
  return count;
}

extern "C" void on_hangup(int) { hangups().fetch_add(1); }

}  // namespace

void install_reload_handler() {
  struct sigaction sa = {};
  sa.sa_handler = on_hangup;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking reads carry on; the watcher polls the count
  sigaction(SIGHUP, &sa, nullptr);
}

std::unique_ptr<RulesWatcher> watch_rules_option(const Args& args, const rules::RulePack& running,
                                                 pipeline::RulesMailbox& mailbox,
                                                 pipeline::RunnerOptions* options) {
  auto file = args.get("rules");
  if (!file) return nullptr;
  install_reload_handler();
  options->rules = &mailbox;
  return std::make_unique<RulesWatcher>(*file, running.version(), mailbox);
}

RulesWatcher::RulesWatcher(std::string path, std::string running_version,
                           pipeline::RulesMailbox& mailbox)
    : path_(std::move(path)), version_(std::move(running_version)), mailbox_(mailbox) {
  seen_ = identify(path_);
  thread_ = spawn_quiet_thread([this] { loop(); });
}

RulesWatcher::~RulesWatcher() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

RulesWatcher::FileId RulesWatcher::identify(const std::string& path) {
  struct stat st;
  FileId id;
  if (::stat(path.c_str(), &st) != 0) return id;
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  id.size = static_cast<int64_t>(st.st_size);
  id.inode = static_cast<uint64_t>(st.st_ino);
  return id;
}

void RulesWatcher::loop() {
  uint64_t hangups_seen = hangups().load();
  while (!stop_.load()) {
    for (int i = 0; i < 25 && !stop_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (hangups().load() != hangups_seen) break;
    }
    uint64_t h = hangups().load();
    FileId now = identify(path_);
    if (h == hangups_seen && now == seen_) continue;
    hangups_seen = h;
    // A file being written may be caught half-way: wait until it stops changing.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    FileId settled = identify(path_);
    if (!(settled == now)) continue;  // next round sees it again
    seen_ = settled;
    reload();
  }
}

void RulesWatcher::reload() {
  auto pack = rules::RulePack::load_file(path_);
  if (!pack.ok()) {
    errors_.fetch_add(1);
    log::error("rules reload refused, still running version " + version_ + ":\n" +
               pack.error().message);
    return;
  }
  if (pack->version() == version_) return;  // touched, not changed
  version_ = pack->version();
  std::string summary = "rules reloaded from " + path_ + ": version " + version_ + ", " +
                        std::to_string(pack->rules().size()) + " rules";
  mailbox_.post(std::make_shared<const rules::RulePack>(std::move(*pack)));
  reloads_.fetch_add(1);
  log::info(summary);
}

}  // namespace wf::app
