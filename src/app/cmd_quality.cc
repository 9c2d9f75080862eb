// walletflow quality: runs the data-quality checks (a TOML file, or the shipped ones) on a
// store, records the results in ops.dq_results (reconciliation also in
// ops.ingestion_monitoring) and exits 1 when a check fails.
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "app/common.h"
#include "core/json_writer.h"
#include "quality/quality.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow quality --store STORE [--checks FILE] [--json] [options]\n"
    "       walletflow quality --print-checks\n"
    "\n"
    "Runs data-quality checks: unique and not-null keys, relationships, accepted values,\n"
    "ranges, freshness, and the reconciliation of every source position (records read =\n"
    "facts + dead letters + duplicates dropped + purged). Results are recorded in\n"
    "ops.dq_results and ops.ingestion_monitoring. Exit 0 when every check passes (warnings\n"
    "allowed), 1 when one fails.\n"
    "\n"
    "options:\n"
    "  --store STORE     sqlite:PATH or postgresql://...\n"
    "  --checks FILE     checks to run (default: the built-in set; --print-checks shows it)\n"
    "  --now TIME        the time freshness is measured at (default: now), RFC 3339\n"
    "  --no-record       do not write the results to the store\n"
    "  --json            print the results as JSON\n";

void print_json(const quality::Report& report, std::string_view store_kind) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("store").string(store_kind);
  w.key("run_id").number(report.run_id);
  w.key("passed").boolean(!report.failed());
  w.key("counts").begin_object();
  for (auto o : {quality::Outcome::kPass, quality::Outcome::kWarn, quality::Outcome::kFail,
                 quality::Outcome::kError}) {
    w.key(quality::outcome_name(o)).number(int64_t{report.count(o)});
  }
  w.end_object();
  w.key("checks").begin_array();
  for (const quality::CheckResult& r : report.results) {
    w.begin_object();
    w.key("name").string(r.name);
    w.key("kind").string(r.kind);
    w.key("target").string(r.target);
    w.key("severity").string(r.warn ? "warn" : "error");
    w.key("status").string(quality::outcome_name(r.outcome));
    w.key("observed").number(r.observed);
    w.key("detail").string(r.detail);
    w.end_object();
  }
  w.end_array();
  w.key("ingestion_monitoring").begin_array();
  for (const quality::Reconciliation& s : report.sources) {
    w.begin_object();
    w.key("source").string(s.source);
    w.key("records_read").number(s.records);
    w.key("facts").number(s.facts);
    w.key("dead_letters").number(s.dead_letters);
    w.key("duplicates").number(s.duplicates);
    w.key("purged").number(s.purged);
    w.key("status").string(s.consistent() ? "Consistent" : "Inconsistent");
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::printf("%s\n", out.c_str());
}

}  // namespace

int cmd_quality(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("checks").option("now").option("no-record", true);
  args.option("json", true).option("print-checks", true);
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (args.has("print-checks")) {
    std::fputs(std::string(quality::default_checks_toml()).c_str(), stdout);
    return kExitOk;
  }
  if (!args.has("store")) return usage_error(args, "--store is required");
  Instant now = SystemClock().now();
  if (auto text = args.get("now")) {
    auto t = parse_rfc3339(*text);
    if (!t.ok()) return usage_error(args, "--now: " + t.error().message);
    now = *t;
  }
  auto checks = args.has("checks")
                    ? quality::load_checks_file(*args.get("checks"))
                    : quality::parse_checks(quality::default_checks_toml(), "builtin:quality");
  if (!checks.ok()) return report(checks.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  quality::Report result = quality::run(**store, *checks, now);
  if (!args.has("no-record")) {
    if (Status s = quality::record(**store, result); !s.ok()) return report(s.error());
  }
  if (args.has("json")) {
    print_json(result, (*store)->kind());
  } else {
    for (const quality::CheckResult& r : result.results) {
      std::printf("%-5s %-52s %s\n", std::string(quality::outcome_name(r.outcome)).c_str(),
                  r.name.c_str(), r.detail.c_str());
    }
    std::printf("quality: %d passed, %d warned, %d failed, %d errors (run %lld)\n",
                result.count(quality::Outcome::kPass), result.count(quality::Outcome::kWarn),
                result.count(quality::Outcome::kFail), result.count(quality::Outcome::kError),
                static_cast<long long>(result.run_id));
  }
  return result.failed() ? kExitFailure : kExitOk;
}

}  // namespace wf::app
