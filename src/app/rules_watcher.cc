#include "app/rules_watcher.h"

#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/file.h"
#include "core/hash.h"
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

namespace {

// A hash of a file's bytes (0 when unreadable): a model counts as new when its bytes are.
uint64_t content_hash(const std::string& path) {
  auto bytes = read_file(path);
  return bytes.ok() ? hash_bytes(*bytes) : 0;
}

}  // namespace

void install_reload_handler() {
  struct sigaction sa = {};
  sa.sa_handler = on_hangup;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // blocking reads carry on; the watcher polls the count
  sigaction(SIGHUP, &sa, nullptr);
}

std::unique_ptr<RulesWatcher> watch_rules_option(const Args& args, const rules::RulePack& running,
                                                 std::shared_ptr<const model::Model> model,
                                                 pipeline::RulesMailbox& mailbox,
                                                 pipeline::RunnerOptions* options) {
  auto file = args.get("rules");
  auto model_file = args.get("model");
  if (!file && !model_file) return nullptr;
  install_reload_handler();
  options->rules = &mailbox;
  return std::make_unique<RulesWatcher>(
      file.value_or(""), running.text(), "builtin:" + args.get_or("profile", "ph-ewallet"),
      model_file.value_or(""), std::move(model), running.version(), mailbox);
}

const char* const kModelOptionsUsage =
    "  --model FILE         a model from 'walletflow train': every event also gets\n"
    "                       model_score from it (features from the rules' own state);\n"
    "                       reloaded when the file changes, like --rules\n"
    "  --model-policy P     combined (default: FLAG at the model's threshold, or when the\n"
    "                       rules flag and the model confirms: its score >= the\n"
    "                       manifest's confirm_threshold; an unconfirmed rule flag is\n"
    "                       MONITOR), either (rules or model) or shadow (score only). A\n"
    "                       model's FLAG names the features that pushed it most\n"
    "  --model-threshold X  flag at model score >= X (default: the model's manifest)\n";

Result<ModelOption> load_model_option(const Args& args, rules::RulePack* pack) {
  ModelOption o;
  o.policy = args.get_or("model-policy", "combined");
  if (o.policy != "combined" && o.policy != "either" && o.policy != "shadow") {
    return make_error(Errc::kInvalidArgument, "--model-policy must be combined, either or shadow");
  }
  if (!args.has("model") && (args.has("model-policy") || args.has("model-threshold"))) {
    return make_error(Errc::kInvalidArgument,
                      "--model-policy and --model-threshold go with --model FILE");
  }
  auto threshold = args.get_double("model-threshold", 0, 1e-6, 1 - 1e-6);
  if (!threshold.ok()) return threshold.take_error();
  if (args.has("model-threshold")) o.threshold_override = *threshold;
  auto path = args.get("model");
  if (!path) return o;
  auto m = model::load_model(*path);
  if (!m.ok()) return m.take_error();
  o.model = std::make_shared<const model::Model>(std::move(*m));
  auto combined = pack_with_model(
      pack->text(), args.get_or("rules", "builtin:" + args.get_or("profile", "ph-ewallet")),
      *o.model, *path);
  if (!combined.ok()) return combined.take_error();
  *pack = std::move(*combined);
  return o;
}

void apply_model_option(const ModelOption& o, pipeline::Processor& processor) {
  if (!o.model) return;
  using Policy = pipeline::Processor::ModelPolicy;
  processor.set_model(o.model,
                      o.threshold_override > 0 ? o.threshold_override : o.model->manifest.threshold,
                      o.model->manifest.confirm_threshold,
                      o.policy == "shadow"   ? Policy::kShadow
                      : o.policy == "either" ? Policy::kEither
                                             : Policy::kCombined);
  if (o.threshold_override > 0) processor.set_threshold_override(o.threshold_override);
}

Result<rules::RulePack> pack_with_model(std::string_view rules_text, const std::string& origin,
                                        const model::Model& model, const std::string& model_path) {
  auto pack = rules::RulePack::parse_with_features(rules_text, origin, model.features_text,
                                                   model_path + " (its features file)");
  if (!pack.ok()) return pack.take_error();
  std::vector<std::string> names;
  for (const auto& [name, expr] : pack->model_features()) names.push_back(name);
  if (names != model.manifest.features) {
    return make_error(Errc::kConfig, "model '" + model_path +
                                         "': its features file and manifest list different "
                                         "features");
  }
  // Model features may use the pack's named features: another pack may feed the model
  // other values than it learned on.
  auto plain = rules::RulePack::parse(rules_text, origin);
  if (plain.ok() && !model.manifest.pack.empty() &&
      model.manifest.pack != plain->name() + " " + plain->version()) {
    log::warn("model '" + model_path + "' was trained with rules " + model.manifest.pack +
              ", running " + plain->name() + " " + plain->version() +
              ": features built on the rules' named features may differ");
  }
  return pack;
}

RulesWatcher::RulesWatcher(std::string path, std::string rules_text, std::string rules_origin,
                           std::string model_path, std::shared_ptr<const model::Model> model,
                           std::string running_version, pipeline::RulesMailbox& mailbox)
    : path_(std::move(path)),
      rules_text_(std::move(rules_text)),
      rules_origin_(std::move(rules_origin)),
      model_path_(std::move(model_path)),
      model_(std::move(model)),
      version_(std::move(running_version)),
      mailbox_(mailbox) {
  if (!path_.empty()) seen_ = identify(path_);
  if (!model_path_.empty()) {
    model_seen_ = identify(model_path_);
    model_content_ = content_hash(model_path_);
  }
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
    FileId now = path_.empty() ? FileId() : identify(path_);
    FileId model_now = model_path_.empty() ? FileId() : identify(model_path_);
    if (h == hangups_seen && now == seen_ && model_now == model_seen_) continue;
    // A file being written may be caught half-way: wait until it stops changing.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    FileId settled = path_.empty() ? FileId() : identify(path_);
    FileId model_settled = model_path_.empty() ? FileId() : identify(model_path_);
    if (!(settled == now) || !(model_settled == model_now)) continue;  // next round
    // A SIGHUP reloads both files; a changed file (by its identity) reloads itself.
    const bool model_changed = !(model_settled == model_seen_) || h != hangups_seen;
    hangups_seen = h;
    seen_ = settled;
    model_seen_ = model_settled;
    reload(model_changed && !model_path_.empty());
  }
}

void RulesWatcher::reload(bool reload_model) {
  auto refuse = [&](const std::string& message) {
    errors_.fetch_add(1);
    log::error("rules reload refused, still running version " + version_ + ":\n" + message);
  };
  std::string text = rules_text_, origin = rules_origin_;
  if (!path_.empty()) {
    auto read = read_file(path_, "rules file");
    if (!read.ok()) return refuse(read.error().message);
    text = std::move(*read);
    origin = path_;
  }
  std::shared_ptr<const model::Model> model = model_;
  bool new_model = false;
  if (reload_model) {
    auto loaded = model::load_model(model_path_);
    if (!loaded.ok()) return refuse(loaded.error().message);
    model = std::make_shared<const model::Model>(std::move(*loaded));
    new_model = model_content_ != content_hash(model_path_);
  }
  auto pack = model ? pack_with_model(text, origin, *model, model_path_)
                    : rules::RulePack::parse(text, origin);
  if (!pack.ok()) return refuse(pack.error().message);
  if (pack->version() == version_ && !new_model) return;  // touched, not changed
  version_ = pack->version();
  std::string summary = "rules reloaded from " + origin + ": version " + version_ + ", " +
                        std::to_string(pack->rules().size()) + " rules";
  if (new_model) {
    summary += "; model reloaded from " + model_path_ + " (trained " + model->manifest.trained_at +
               ", threshold " + std::to_string(model->manifest.threshold) + ")";
    model_ = model;
    model_content_ = content_hash(model_path_);
    mailbox_.post(std::make_shared<const rules::RulePack>(std::move(*pack)), model);
  } else {
    mailbox_.post(std::make_shared<const rules::RulePack>(std::move(*pack)));
  }
  reloads_.fetch_add(1);
  log::info(summary);
}

}  // namespace wf::app
