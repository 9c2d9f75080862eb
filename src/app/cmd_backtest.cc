// walletflow backtest: replay history through a candidate rule pack with fresh state and
// compare with the rules in production (the decisions a store holds, or a pack run
// beside it) and with labels: alerts added and removed, hits per rule, precision, recall,
// F1, and the biggest changes with their reasons.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/common.h"
#include "codec/csv_mapping.h"
#include "codec/event_decoder.h"
#include "codec/label_codec.h"
#include "codec/paysim.h"
#include "core/json_writer.h"
#include "pipeline/backtest.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow backtest --rules CANDIDATE.toml --store URI [--from T] [--to T]\n"
    "       walletflow backtest --rules CANDIDATE.toml --input FILE [--format F] [options]\n"
    "\n"
    "Replays transactions in the order they were processed (a store's history) or\n"
    "arrive (a file) through the candidate rules with fresh state, and compares each\n"
    "decision with production: the decision stored for it (--store), or the baseline pack\n"
    "replayed beside it (--input, or --baseline with --store).\n"
    "\n"
    "options:\n"
    "  --rules FILE         the candidate rule pack (required)\n"
    "  --store URI          replay this store's transactions; its dim_users give last\n"
    "                       activity\n"
    "  --from T, --to T     only transactions with from <= event time < to (RFC 3339 or\n"
    "                       YYYY-MM-DD); the window before --from warms the state up\n"
    "  --input FILE         replay a file instead (users from --store if given); records\n"
    "                       that do not decode are counted as dead letters\n"
    "  --format F           --input's format, as process reads it: json (default: JSON\n"
    "                       lines), paysim (PaySim's CSV, header first; with --profile\n"
    "                       paysim) or csv (any CSV with a header, read through --mapping)\n"
    "  --mapping FILE       csv: which column is which field, time and amount formats,\n"
    "                       type values, the label column, the rules (docs/CSV_MAPPING.md)\n"
    "  --paysim-start TIME  paysim: the time of step 0, RFC 3339 (default 2026-01-01)\n"
    "  --baseline FILE      production rule pack to compare with (default with --input: the\n"
    "                       profile's built-in pack, or for csv without --profile the\n"
    "                       mapping's [rules]; with --store: the stored decisions)\n"
    "  --profile NAME       the built-in baseline: ph-ewallet (default), paysim or card\n"
    "  --labels FILE        labels (JSON lines); default: the rows' own with --format paysim\n"
    "                       (isFraud) or csv (the mapping's label column), else the labels\n"
    "                       table of --store\n"
    "  --top N              biggest changes to show (default 10)\n"
    "  --json               machine-readable report\n";

Result<Instant> parse_time_arg(const std::string& text) {
  if (text.size() == 10) return parse_date(text);
  return parse_rfc3339(text);
}

void write_confusion(JsonWriter& w, const pipeline::Confusion& c) {
  w.begin_object();
  w.key("precision").number(c.precision(), 4);
  w.key("recall").number(c.recall(), 4);
  w.key("f1").number(c.f1(), 4);
  w.key("tp").number(c.tp);
  w.key("fp").number(c.fp);
  w.key("fn").number(c.fn);
  w.end_object();
}

void write_report(JsonWriter& w, const pipeline::BacktestReport& r, bool has_labels) {
  w.key("events").number(r.events);
  w.key("warmup_events").number(r.warmup_events);
  w.key("skipped").number(r.skipped);
  w.key("decisions_changed").number(r.decisions_changed);
  w.key("alerts_added").begin_object();
  w.key("count").number(r.alerts_added);
  w.key("by_rule").begin_object();
  for (const auto& [id, n] : r.added_by_rule) w.key(id).number(n);
  w.end_object().end_object();
  w.key("alerts_removed").begin_object();
  w.key("count").number(r.alerts_removed);
  w.key("by_rule").begin_object();
  for (const auto& [id, n] : r.removed_by_rule) w.key(id).number(n);
  w.end_object().end_object();
  w.key("rules").begin_object();
  for (const auto& [id, t] : r.rules) {
    w.key(id).begin_object();
    w.key("in_candidate").boolean(t.in_candidate);
    w.key("in_baseline").boolean(t.in_baseline);
    w.key("candidate_hits").number(t.candidate_hits);
    w.key("baseline_hits").number(t.baseline_hits);
    if (has_labels) {
      auto precision = [](int64_t fraud, int64_t labelled) {
        return labelled == 0 ? 0.0 : double(fraud) / double(labelled);
      };
      w.key("candidate_precision")
          .number(precision(t.candidate_hits_fraud, t.candidate_hits_labelled), 4);
      w.key("baseline_precision")
          .number(precision(t.baseline_hits_fraud, t.baseline_hits_labelled), 4);
    }
    w.end_object();
  }
  w.end_object();
  w.key("labels");
  if (!has_labels) {
    w.null();
  } else {
    w.begin_object();
    w.key("labelled").number(r.labelled);
    w.key("candidate");
    write_confusion(w, r.candidate);
    w.key("baseline");
    write_confusion(w, r.baseline);
    w.end_object();
  }
  w.key("biggest_changes").begin_array();
  for (const pipeline::Change& c : r.biggest_changes) {
    w.begin_object();
    w.key("transaction_id").string(c.transaction_id);
    w.key("event_ts").string(format_utc(c.event_ts));
    w.key("candidate").begin_object();
    w.key("score").number(int64_t{c.candidate_score});
    w.key("decision").string(domain::verdict_name(c.candidate_verdict));
    w.key("rules").string(c.candidate_rules);
    w.key("reasons").string(c.candidate_reasons);
    w.end_object();
    w.key("baseline").begin_object();
    w.key("score").number(int64_t{c.baseline_score});
    w.key("decision").string(domain::verdict_name(c.baseline_verdict));
    w.key("rules").string(c.baseline_rules);
    w.key("reasons").string(c.baseline_reasons);
    w.end_object();
    w.end_object();
  }
  w.end_array();
}

void print_text(const pipeline::BacktestReport& r, bool has_labels, double seconds,
                int64_t dead_letters, int64_t duplicates) {
  std::printf("replayed %lld transactions in %.2f s (%.0f/s)%s\n", static_cast<long long>(r.events),
              seconds, seconds > 0 ? double(r.events) / seconds : 0.0,
              r.warmup_events
                  ? (" after " + std::to_string(r.warmup_events) + " to warm the state up").c_str()
                  : "");
  if (dead_letters != 0 || duplicates != 0) {
    std::printf("not replayed: %lld dead letters, %lld duplicates\n",
                static_cast<long long>(dead_letters), static_cast<long long>(duplicates));
  }
  std::printf(
      "alerts: %lld candidate, %lld baseline; %lld added, %lld removed; %lld decisions "
      "changed\n",
      static_cast<long long>(r.candidate_alerts), static_cast<long long>(r.baseline_alerts),
      static_cast<long long>(r.alerts_added), static_cast<long long>(r.alerts_removed),
      static_cast<long long>(r.decisions_changed));
  std::printf("%-16s %12s %12s\n", "rule", "candidate", "baseline");
  for (const auto& [id, t] : r.rules) {
    std::printf("%-16s %12lld %12lld\n", id.c_str(), static_cast<long long>(t.candidate_hits),
                static_cast<long long>(t.baseline_hits));
  }
  if (has_labels) {
    std::printf(
        "labels (%lld): candidate precision %.4f recall %.4f F1 %.4f | baseline "
        "precision %.4f recall %.4f F1 %.4f\n",
        static_cast<long long>(r.labelled), r.candidate.precision(), r.candidate.recall(),
        r.candidate.f1(), r.baseline.precision(), r.baseline.recall(), r.baseline.f1());
  }
  for (const pipeline::Change& c : r.biggest_changes) {
    std::printf("%s %s: %d %s -> %d %s  [%s] -> [%s]\n", c.transaction_id.c_str(),
                format_utc(c.event_ts).c_str(), c.baseline_score,
                std::string(domain::verdict_name(c.baseline_verdict)).c_str(), c.candidate_score,
                std::string(domain::verdict_name(c.candidate_verdict)).c_str(),
                c.baseline_reasons.c_str(), c.candidate_reasons.c_str());
  }
}

}  // namespace

int cmd_backtest(int argc, char** argv) {
  Args args(kUsage);
  args.option("rules").option("store").option("from").option("to").option("input");
  args.option("baseline").option("profile").option("labels").option("top").option("json", true);
  args.option("format").option("mapping").option("paysim-start");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  auto rules_file = args.get("rules");
  if (!rules_file) return usage_error(args, "--rules is required (the candidate pack)");
  if (args.has("store") == args.has("input") && !args.has("input")) {
    return usage_error(args, "give --store (replay its history) or --input FILE");
  }
  if (args.has("input") && (args.has("from") || args.has("to"))) {
    return usage_error(args, "--from/--to select stored history; not with --input");
  }
  // The file's format: the flags and their rules are process's.
  const std::string format = args.get_or("format", "json");
  if (format != "json" && format != "paysim" && format != "csv") {
    return usage_error(args, "--format must be json, paysim or csv");
  }
  const bool paysim = format == "paysim";
  const bool csv = format == "csv";
  if (args.has("format") && !args.has("input")) {
    return usage_error(args, "--format is the format of --input FILE");
  }
  if (!paysim && args.has("paysim-start")) {
    return usage_error(args, "--paysim-start is for --format paysim");
  }
  if (csv != args.has("mapping")) {
    return usage_error(args, "--format csv and --mapping FILE go together");
  }
  auto paysim_start = parse_rfc3339(args.get_or("paysim-start", "2026-01-01T00:00:00Z"));
  if (!paysim_start.ok()) return usage_error(args, "--paysim-start must be an RFC 3339 time");
  auto top = args.get_int("top", 10, 0, 1000);
  if (!top.ok()) return usage_error(args, top.error().message);
  Instant from = 0;
  Instant to = INT64_MAX;
  for (const char* name : {"from", "to"}) {
    if (auto text = args.get(name)) {
      auto t = parse_time_arg(*text);
      if (!t.ok()) return usage_error(args, std::string("--") + name + ": " + t.error().message);
      (std::string_view(name) == "from" ? from : to) = *t;
    }
  }
  if (from >= to) return usage_error(args, "--from must be before --to");

  // csv: the mapping, and the header line of the file it reads.
  codec::CsvMapping mapping;
  std::unique_ptr<codec::CsvDecoder> csv_decoder;
  if (csv) {
    auto m = codec::CsvMapping::load_file(*args.get("mapping"));
    if (!m.ok()) return report(m.error());
    mapping = std::move(*m);
    const std::string input = *args.get("input");
    std::string header;
    std::ifstream in(input, std::ios::binary);
    if (!in || !std::getline(in, header)) {
      return report(make_error(Errc::kIo, "cannot read the header line of '" + input + "'"));
    }
    auto d = codec::CsvDecoder::create(mapping, header);
    if (!d.ok()) return report(d.error());
    csv_decoder = std::move(*d);
  }

  auto candidate = rules::RulePack::load_file(*rules_file);
  if (!candidate.ok()) return report(candidate.error());
  std::optional<rules::RulePack> baseline;
  if (auto file = args.get("baseline")) {
    auto b = rules::RulePack::load_file(*file);
    if (!b.ok()) return report(b.error());
    baseline.emplace(std::move(*b));
  } else if (csv && !args.has("profile") && !mapping.rules_file.empty()) {
    // The rules the mapping names are the ones process scored this history with.
    auto b = rules::RulePack::load_file(mapping.rules_file);
    if (!b.ok()) return report(b.error());
    baseline.emplace(std::move(*b));
  } else if (args.has("input")) {
    const std::string profile = csv && !args.has("profile") && !mapping.profile.empty()
                                    ? mapping.profile
                                    : args.get_or("profile", "ph-ewallet");
    auto b = rules::RulePack::builtin(profile);
    if (!b.ok()) return usage_error(args, b.error().message);
    baseline.emplace(std::move(*b));
  }
  std::unique_ptr<store::Store> store;
  if (args.has("store")) {
    auto s = open_store_arg(args, "");
    if (!s.ok()) return report(s.error());
    store = std::move(*s);
  }

  pipeline::Backtest backtest(*candidate, baseline ? &*baseline : nullptr,
                              static_cast<size_t>(*top));
  bool has_labels = false;
  // PaySim and CSV rows carry their own labels; a --labels file takes their place.
  const bool row_labels = (paysim || csv) && !args.has("labels");
  pipeline::LabelIndex labels;
  if (auto file = args.get("labels")) {
    auto rows = codec::read_labels_file(*file);
    if (!rows.ok()) return report(rows.error());
    for (const auto& l : *rows) labels.add(l.transaction_id, l.is_fraud);
    has_labels = true;
  } else if (store && !row_labels) {
    Status s = store->scan_labels(
        [&](const store::LabelRow& l) { labels.add(l.transaction_id, l.is_fraud); });
    if (!s.ok()) return report(s.error());
    has_labels = labels.size() > 0;
  }
  backtest.set_labels(std::move(labels));
  if (store) {
    auto users = store->load_users();
    if (!users.ok()) return report(users.error());
    backtest.load_users(*users);
  }

  SystemClock clock;
  const int64_t start = clock.monotonic_us();
  int64_t dead_letters = 0;
  int64_t duplicates = 0;
  std::string source_name;
  if (auto input = args.get("input")) {
    source_name = "file:" + *input;
    pipeline::ReplayFormat replay_format;
    std::unique_ptr<codec::PaysimDecoder> paysim_decoder;
    if (paysim) {
      // Amounts in the candidate's base currency, as process reads them with its pack's.
      paysim_decoder =
          std::make_unique<codec::PaysimDecoder>(*paysim_start, candidate->base_currency());
      replay_format.rows = paysim_decoder.get();
      replay_format.is_header = [](std::string_view line) {
        return codec::PaysimDecoder::is_header(line);
      };
    } else if (csv) {
      const codec::CsvDecoder* decoder = csv_decoder.get();
      replay_format.rows = csv_decoder.get();
      replay_format.is_header = [decoder](std::string_view line) {
        return decoder->is_header(line);
      };
    }
    replay_format.row_labels = row_labels;
    auto counts = backtest.replay_file(*input, codec::kDefaultMaxEventBytes, replay_format);
    if (!counts.ok()) return report(counts.error());
    dead_letters = counts->dead_letters;
    duplicates = counts->duplicates;
  } else {
    source_name = args.get_or("store", "");
    if (from > 0) {
      // State as it stood at --from: last activity before it, then the window of history
      // any feature looks back over.
      int64_t horizon = candidate->horizon_us();
      if (baseline) horizon = std::max(horizon, baseline->horizon_us());
      Status s = store->scan_last_activity(from - horizon, [&](std::string_view user, Instant t) {
        backtest.set_last_seen(user, t);
      });
      if (!s.ok()) return report(s.error());
      s = store->scan_facts(from - horizon, from, [&](const store::StoredFact& f) {
        domain::Transaction tx = f.tx;
        backtest.warm(tx);
      });
      if (!s.ok()) return report(s.error());
    }
    Status s = store->scan_facts(from, to, [&](const store::StoredFact& f) {
      domain::Transaction tx = f.tx;
      pipeline::BaselineDecision stored{f.fraud_score, f.verdict, f.rules_fired, f.reasons};
      backtest.replay(tx, &stored);
    });
    if (!s.ok()) return report(s.error());
  }
  const double seconds = double(clock.monotonic_us() - start) / 1e6;
  pipeline::BacktestReport r = backtest.report();
  if (row_labels) has_labels = r.labelled > 0;  // a mapping may have no label column

  if (!args.has("json")) {
    print_text(r, has_labels, seconds, dead_letters, duplicates);
    return kExitOk;
  }
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("source").string(source_name);
  w.key("seconds").number(seconds, 3);
  w.key("events_per_s").number(seconds > 0 ? double(r.events) / seconds : 0.0, 0);
  w.key("dead_letters").number(dead_letters);
  w.key("duplicates").number(duplicates);
  w.key("candidate").begin_object();
  w.key("pack").string(candidate->name());
  w.key("version").string(candidate->version());
  w.key("alerts").number(r.candidate_alerts);
  w.end_object();
  w.key("baseline").begin_object();
  w.key("kind").string(baseline ? "pack" : "stored");
  if (baseline) {
    w.key("pack").string(baseline->name());
    w.key("version").string(baseline->version());
  }
  w.key("alerts").number(r.baseline_alerts);
  w.end_object();
  write_report(w, r, has_labels);
  w.end_object();
  std::printf("%s\n", out.c_str());
  return kExitOk;
}

}  // namespace wf::app
