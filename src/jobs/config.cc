#include "jobs/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "core/file.h"
#include "core/toml_file.h"

namespace wf::jobs {
namespace {

class Parser {
 public:
  Parser(std::string_view text, std::string_view origin)
      : text_(text), origin_(origin), problems_(origin_) {}

  Result<OpsConfig> parse() {
    auto parsed = parse_toml(text_, origin_);
    if (!parsed.ok()) return parsed.take_error();
    const toml::table& doc = *parsed;
    OpsConfig config;
    only(doc,
         {"utc_offset", "retries", "retry_backoff", "webhook_timeout", "webhook_attempts",
          "webhook_backoff", "webhook_drain", "job", "alerts"},
         "top level");
    if (auto offset = string(doc, "utc_offset")) {
      auto minutes = parse_utc_offset(*offset);
      if (minutes.ok()) {
        config.offset_minutes = *minutes;
      } else {
        problem(doc.get("utc_offset"), minutes.error().message);
      }
    }
    duration(doc, "webhook_timeout", &config.webhooks.timeout_us);
    integer(doc, "webhook_attempts", 1, 20, &config.webhooks.attempts);
    duration(doc, "webhook_backoff", &config.webhooks.backoff_us);
    duration(doc, "webhook_drain", &config.webhooks.drain_us);
    JobSpec defaults;
    integer(doc, "retries", 0, 10, &defaults.retries);
    duration(doc, "retry_backoff", &defaults.retry_backoff_us);
    if (const toml::node* jobs = doc.get("job")) {
      if (const toml::array* list = jobs->as_array()) {
        for (const toml::node& node : *list) {
          if (const toml::table* t = node.as_table()) {
            JobSpec job = defaults;
            if (parse_job(*t, &job)) config.jobs.push_back(std::move(job));
          } else {
            problem(&node, "each job is a [[job]] table");
          }
        }
      } else {
        problem(jobs, "'job' must be an array of tables ([[job]])");
      }
    }
    std::set<std::string> names;
    for (const JobSpec& j : config.jobs) {
      if (!names.insert(j.name).second) problem(&doc, "job '" + j.name + "' is defined twice");
    }
    for (const JobSpec& j : config.jobs) {
      if (!j.after.empty() && !names.contains(j.after)) {
        problem(&doc, "job '" + j.name + "' runs after '" + j.after + "', which is not a job");
      }
      if (j.after == j.name) problem(&doc, "job '" + j.name + "' runs after itself");
    }
    if (const toml::table* a = doc["alerts"].as_table()) parse_alerts(*a, &config.alerts);
    if (!problems_.empty()) return problems_.error();
    return config;
  }

 private:
  void problem(const toml::node* at, const std::string& message) { problems_.add(at, message); }

  void only(const toml::table& t, std::initializer_list<std::string_view> allowed,
            const std::string& context) {
    for (const auto& [key, value] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        problem(&value, "unknown key '" + std::string(key) + "' in " + context);
      }
    }
  }

  std::optional<std::string> string(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) {
      problem(n, "'" + std::string(key) + "' must be a string");
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  void integer(const toml::table& t, std::string_view key, int64_t lo, int64_t hi, auto* out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    auto v = n->value<int64_t>();
    if (!n->is_integer() || !v || *v < lo || *v > hi) {
      problem(n, "'" + std::string(key) + "' must be an integer in " + std::to_string(lo) + ".." +
                     std::to_string(hi));
      return;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(*v);
  }

  void number(const toml::table& t, std::string_view key, double* out) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return;
    auto v = n->value<double>();
    if (!v || *v < 0) {
      problem(n, "'" + std::string(key) + "' must be a non-negative number");
      return;
    }
    *out = *v;
  }

  void duration(const toml::table& t, std::string_view key, int64_t* out) {
    auto text = string(t, key);
    if (!text) return;
    auto us = parse_duration_us(*text);
    if (!us.ok() || *us <= 0) {
      problem(t.get(key),
              us.ok() ? "'" + std::string(key) + "' must be above zero" : us.error().message);
      return;
    }
    *out = *us;
  }

  bool parse_job(const toml::table& t, JobSpec* j) {
    const size_t before = problems_.size();
    only(t,
         {"name", "schedule", "after", "action", "catch_up", "retries", "retry_backoff", "marts",
          "days", "checks", "months_ahead", "dead_letters", "history", "command"},
         "a [[job]]");
    auto name = string(t, "name");
    if (!name || name->empty()) {
      problem(&t, "a job needs a 'name'");
    } else {
      j->name = *name;
    }
    if (auto schedule = string(t, "schedule")) {
      auto cron = Cron::parse(*schedule);
      if (cron.ok()) {
        j->schedule = std::move(*cron);
      } else {
        problem(t.get("schedule"), cron.error().message);
      }
    }
    if (auto after = string(t, "after")) j->after = *after;
    if (t.contains("schedule") == !j->after.empty()) {
      problem(&t, "job '" + j->name + "' needs either 'schedule' or 'after'");
    }
    static const std::set<std::string, std::less<>> kActions = {"marts", "quality", "maintain",
                                                                "retention", "command"};
    auto action = string(t, "action");
    if (!action || !kActions.contains(*action)) {
      problem(t.get("action") ? t.get("action") : &t,
              "'action' must be one of marts, quality, maintain, retention, command");
    } else {
      j->action = *action;
    }
    if (auto c = string(t, "catch_up")) {
      if (*c == "all") {
        j->catch_up = CatchUp::kAll;
      } else if (*c == "latest") {
        j->catch_up = CatchUp::kLatest;
      } else if (*c == "none") {
        j->catch_up = CatchUp::kNone;
      } else {
        problem(t.get("catch_up"), "'catch_up' must be all, latest or none");
      }
    }
    integer(t, "retries", 0, 10, &j->retries);
    duration(t, "retry_backoff", &j->retry_backoff_us);
    if (const toml::node* m = t.get("marts")) {
      const toml::array* list = m->as_array();
      if (list == nullptr) problem(m, "'marts' must be a list of mart names");
      for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
        if (auto s = (*list)[i].value<std::string>()) {
          j->marts.push_back(*s);
        } else {
          problem(&(*list)[i], "'marts' must be strings");
        }
      }
    }
    if (auto days = string(t, "days")) {
      if (*days != "yesterday" && *days != "today" && *days != "previous_hour") {
        problem(t.get("days"), "'days' must be yesterday, today or previous_hour");
      }
      j->days = *days;
    }
    if (auto checks = string(t, "checks")) j->checks_file = *checks;
    integer(t, "months_ahead", 0, 24, &j->months_ahead);
    duration(t, "dead_letters", &j->dead_letters_us);
    duration(t, "history", &j->history_us);
    if (auto command = string(t, "command")) j->command = *command;
    if (j->action == "command" && j->command.empty()) {
      problem(&t, "job '" + j->name + "': action command needs a 'command'");
    }
    return problems_.size() == before;
  }

  void parse_alerts(const toml::table& t, notify::AlertThresholds* a) {
    only(t,
         {"lag_records", "lag_for", "stall_after", "fraud_rate_factor", "fraud_window",
          "fraud_baseline", "fraud_rate_min", "burst_flagged", "burst_factor", "burst_window",
          "burst_quiet"},
         "[alerts]");
    integer(t, "lag_records", 1, INT64_MAX, &a->lag_records);
    duration(t, "lag_for", &a->lag_for_us);
    duration(t, "stall_after", &a->stall_after_us);
    number(t, "fraud_rate_factor", &a->fraud_rate_factor);
    duration(t, "fraud_window", &a->fraud_window_us);
    duration(t, "fraud_baseline", &a->fraud_baseline_us);
    number(t, "fraud_rate_min", &a->fraud_rate_min);
    integer(t, "burst_flagged", 1, INT64_MAX, &a->burst_flagged);
    number(t, "burst_factor", &a->burst_factor);
    duration(t, "burst_window", &a->burst_window_us);
    duration(t, "burst_quiet", &a->burst_quiet_us);
  }

  std::string_view text_;
  std::string origin_;
  TomlProblems problems_;
};

}  // namespace

const JobSpec* OpsConfig::find(std::string_view name) const {
  for (const JobSpec& j : jobs) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

Result<OpsConfig> parse_ops_config(std::string_view toml_text, std::string_view origin) {
  return Parser(toml_text, origin).parse();
}

Result<OpsConfig> load_ops_config(const std::string& path) {
  if (path.empty()) return parse_ops_config(default_ops_config_toml(), "builtin:operations");
  auto text = read_file(path, "config file", Errc::kConfig);
  if (!text.ok()) return text.take_error();
  return parse_ops_config(*text, path);
}

}  // namespace wf::jobs
