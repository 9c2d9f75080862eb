// walletflow train: a fraud classifier (XGBoost) on model features computed by the rules'
// own state layer, from labelled history replayed in time order through the same
// Processor that scores the stream, so training and scoring cannot drift apart.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

#include "app/commands.h"
#include "app/common.h"
#include "codec/csv_mapping.h"
#include "codec/label_codec.h"
#include "core/file.h"
#include "core/hash.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "model/model_file.h"
#include "model/trainer.h"
#include "pipeline/backtest.h"
#include "pipeline/confusion.h"
#include "pipeline/pr_curve.h"
#include "pipeline/processor.h"
#include "stream/file/file_source.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow train --input FILE [--format json|paysim|csv] [--labels FILE] --out M\n"
    "       walletflow train --store URI --out MODEL.json\n"
    "\n"
    "Replays labelled history in the order it happened through the rules and the model\n"
    "features (a features file of [[model_feature]] expressions in the rule language,\n"
    "computed from the same per-key state as the rules), trains gradient-boosted trees\n"
    "(XGBoost) on the earlier part and validates on the later part (split by event time,\n"
    "never at random), weighting the rare fraud class up and stopping when the\n"
    "validation AUPRC no longer improves. Writes the model with its manifest (features,\n"
    "data range, validation AUPRC, and the threshold that gives the best F1 when the\n"
    "rules or the model flag) for 'process --model'.\n"
    "\n"
    "options:\n"
    "  --input FILE          labelled history: JSON events, PaySim's CSV or a CSV with\n"
    "                        --mapping (as 'process --format' reads them)\n"
    "  --format F            json (default), paysim or csv\n"
    "  --mapping FILE        csv: the mapping (docs/CSV_MAPPING.md)\n"
    "  --paysim-start T      paysim: the time of step 0 (default 2026-01-01)\n"
    "  --labels FILE         labels (JSON lines); default: the rows' own (paysim, csv)\n"
    "  --store URI           without --input: the facts a store holds, in processing\n"
    "                        order, with its labels table (walletflow eval loads it);\n"
    "                        with --input: the users (dim_users) the events belong to\n"
    "  --profile NAME        ph-ewallet (default), card, ecommerce or paysim: the pack and\n"
    "                        the built-in features file\n"
    "  --rules FILE          the pack the features compile with (default: the profile's)\n"
    "  --features FILE       model features (default: the profile's, config/features/)\n"
    "  --out FILE            the model (required)\n"
    "  --valid-fraction F    the latest share of events that validates (default 0.2)\n"
    "  --rounds N            boosting rounds at most (default 150; early stopping)\n"
    "  --max-depth N         tree depth (default 5)\n"
    "  --eta X               learning rate (default 0.3)\n"
    "  --seed S              random seed (default 0)\n"
    "  --threads N           training threads (default 2)\n"
    "  --json                print the manifest as JSON\n";

struct Rows {
  size_t features = 0;
  std::vector<float> values;
  std::vector<float> labels;
  std::vector<Instant> ts;
  std::vector<int> rule_score;
  int64_t unlabelled = 0;
  size_t size() const { return labels.size(); }
};

// Precision, recall and F1 of flagging rows where `flag` holds.
template <typename Flag>
pipeline::Confusion confusion(const Rows& r, size_t begin, size_t end, Flag flag) {
  pipeline::Confusion c;
  for (size_t i = begin; i < end; ++i) c.add(flag(i), r.labels[i] > 0.5f);
  return c;
}

}  // namespace

int cmd_train(int argc, char** argv) {
  Args args(kUsage);
  args.option("input").option("format").option("mapping").option("paysim-start");
  args.option("labels").option("store").option("profile").option("rules").option("features");
  args.option("out").option("valid-fraction").option("rounds").option("max-depth").option("eta");
  args.option("seed").option("threads").option("pii-key-file").option("json", true);
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("out")) return usage_error(args, "--out is required");
  if (!args.has("input") && !args.has("store")) {
    return usage_error(args, "--input FILE or --store URI is required");
  }
  const std::string format = args.get_or("format", "json");
  if (format != "json" && format != "paysim" && format != "csv") {
    return usage_error(args, "--format must be json, paysim or csv");
  }
  if (!args.has("input") && args.has("format")) {
    return usage_error(args, "--format is for --input");
  }
  if ((format == "csv") != args.has("mapping")) {
    return usage_error(args, "--format csv and --mapping FILE go together");
  }
  if (format != "paysim" && args.has("paysim-start")) {
    return usage_error(args, "--paysim-start is for --format paysim");
  }
  if (args.has("input") && format == "json" && !args.has("labels")) {
    return usage_error(args, "--labels FILE is required with JSON events");
  }
  auto valid_fraction = args.get_double("valid-fraction", 0.2, 0.01, 0.9);
  model::TrainOptions defaults;
  auto rounds = args.get_int("rounds", defaults.max_rounds, 1, 100'000);
  auto depth = args.get_int("max-depth", defaults.max_depth, 1, 16);
  auto eta = args.get_double("eta", defaults.eta, 0.001, 1);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  auto threads = args.get_int("threads", 2, 1, 256);
  auto paysim_start = parse_rfc3339(args.get_or("paysim-start", "2026-01-01T00:00:00Z"));
  for (const Error* e :
       {valid_fraction.ok() ? nullptr : &valid_fraction.error(),
        rounds.ok() ? nullptr : &rounds.error(), depth.ok() ? nullptr : &depth.error(),
        eta.ok() ? nullptr : &eta.error(), seed.ok() ? nullptr : &seed.error(),
        threads.ok() ? nullptr : &threads.error(),
        paysim_start.ok() ? nullptr : &paysim_start.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }

  // The pack and the features, compiled together.
  auto base = load_pack(args);
  if (!base.ok()) return report(base.error());
  const std::string profile = args.get_or("profile", "ph-ewallet");
  std::string features_text, features_origin;
  if (auto file = args.get("features")) {
    auto text = read_file(*file);
    if (!text.ok()) return report(text.error());
    features_text = std::move(*text);
    features_origin = *file;
  } else {
    features_text = std::string(rules::RulePack::builtin_features_text(profile));
    features_origin = "config/features/" + profile + ".toml";
    if (features_text.empty()) {
      return usage_error(args, "no built-in features for profile '" + profile + "'");
    }
  }
  auto pack = rules::RulePack::parse_with_features(base->text(), args.get_or("rules", profile),
                                                   features_text, features_origin);
  if (!pack.ok()) return report(pack.error());
  if (pack->model_features().empty()) {
    return report(make_error(Errc::kConfig, features_origin + ": no [[model_feature]] entries"));
  }
  auto pii = load_pii(args);
  if (!pii.ok()) return report(pii.error());

  Rows rows;
  rows.features = pack->model_features().size();
  SystemClock clock;
  auto shared_pack = std::make_shared<const rules::RulePack>(std::move(*pack));
  pipeline::Processor processor(shared_pack, *pii, clock);
  pipeline::LabelIndex labels;
  bool row_labels = false;
  // A row's own label arrives (decode) just before its features (score).
  std::string truth_id;
  bool truth_fraud = false;
  if (auto file = args.get("labels")) {
    auto read = codec::read_labels_file(*file);
    if (!read.ok()) return report(read.error());
    for (const auto& l : *read) labels.add(l.transaction_id, l.is_fraud);
  } else if (args.has("input")) {
    row_labels = true;
  }
  auto add_row = [&](std::string_view id, Instant ts, int rule_score, std::span<const double> f) {
    int label = -1;
    if (row_labels) {
      if (id == truth_id) label = truth_fraud;
    } else {
      label = labels.find(id);
    }
    if (label < 0) {
      ++rows.unlabelled;
      return;
    }
    for (double v : f) rows.values.push_back(static_cast<float>(v));
    rows.labels.push_back(static_cast<float>(label));
    rows.ts.push_back(ts);
    rows.rule_score.push_back(rule_score);
  };

  std::unique_ptr<store::Store> store;
  if (args.has("store")) {
    auto s = open_store_arg(args, "");
    if (!s.ok()) return report(s.error());
    store = std::move(*s);
    auto users = store->load_users();
    if (!users.ok()) return report(users.error());
    processor.load_users(*users);
    auto merchants = store->load_merchants();
    if (!merchants.ok()) return report(merchants.error());
    processor.load_merchants(*merchants);
  }
  if (!args.has("input")) {
    // Stored facts keep what the rules read except PaySim's balances: features on them
    // would be missing in training and present in scoring.
    for (const auto& [name, expr] : shared_pack->model_features()) {
      if (expr.find("balance") != std::string::npos) {
        return usage_error(args, "model feature '" + name +
                                     "' reads PaySim balances, which the store does not keep: "
                                     "train from the file (--input FILE --format paysim)");
      }
    }
    if (!args.has("labels")) {
      Status st = store->scan_labels(
          [&](const store::LabelRow& l) { labels.add(l.transaction_id, l.is_fraud); });
      if (!st.ok()) return report(st.error());
    }
    if (labels.size() == 0) {
      return report(make_error(Errc::kNotFound,
                               "the store has no labels: run 'walletflow eval --labels FILE' on "
                               "it first, or pass --labels"));
    }
    std::vector<double> f(rows.features);
    Status st = store->scan_facts(INT64_MIN, INT64_MAX, [&](const store::StoredFact& fact) {
      if (processor.fold(fact, f))
        add_row(fact.tx.transaction_id, fact.tx.event_ts, fact.fraud_score, f);
    });
    if (!st.ok()) return report(st.error());
  } else {
    if (!store) {
      log::warn(
          "train: no --store, so no dim_users / dim_merchants: features that read them "
          "(last activity, home, merchant risk) are missing here but not when process "
          "scores against a seeded store; pass the store the events belong to");
    }
    processor.collect_features(add_row);
    auto truth = [&](std::string_view id, const codec::RowTruth& t) {
      truth_id.assign(id);
      truth_fraud = t.is_fraud;
    };
    std::unique_ptr<codec::CsvDecoder> csv;
    std::function<bool(std::string_view)> is_header;
    const std::string path = *args.get("input");
    if (format == "csv") {
      auto mapping = codec::CsvMapping::load_file(*args.get("mapping"));
      if (!mapping.ok()) return report(mapping.error());
      std::ifstream in(path, std::ios::binary);
      std::string header;
      if (!in || !std::getline(in, header)) {
        return report(make_error(Errc::kIo, "cannot read the header line of '" + path + "'"));
      }
      auto d = codec::CsvDecoder::create(*mapping, header);
      if (!d.ok()) return report(d.error());
      const codec::CsvDecoder* decoder = d->get();
      is_header = [decoder](std::string_view line) { return decoder->is_header(line); };
      processor.read_rows(std::move(*d), truth);
    } else if (format == "paysim") {
      is_header = [](std::string_view line) { return codec::PaysimDecoder::is_header(line); };
      processor.read_paysim(*paysim_start, truth);
    }
    auto source = stream::file::FileSource::open(path);
    if (!source.ok()) return report(source.error());
    stream::RecordBatch in;
    store::Batch out;
    Arena arena;
    install_stop_handlers();
    do {
      in.records.clear();
      Status st = (*source)->next(&in, 8192);
      if (!st.ok()) return report(st.error());
      for (const stream::Record& r : in.records) {
        if (r.offset == 0 && is_header && is_header(r.bytes)) continue;
        truth_id.clear();
        processor.process(r, &out, &arena);
      }
      out.facts.clear();
      out.dead_letters.clear();
      out.dropped_duplicates.clear();
      arena.reset();
    } while (!in.end_of_input && !stop_flag().load());
    log::info("train: " + std::to_string(processor.counters().records) + " records, " +
              std::to_string(processor.counters().dead_letters) + " dead letters");
  }
  if (rows.size() < 100) {
    return report(make_error(Errc::kInvalidArgument, "only " + std::to_string(rows.size()) +
                                                         " labelled events: too few to train on"));
  }

  // Time order: the latest share validates (rows arrive nearly in time order; sort to be
  // sure, stable so ties keep their arrival order).
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rows.ts[a] < rows.ts[b]; });
  Rows sorted;
  sorted.features = rows.features;
  sorted.values.reserve(rows.values.size());
  for (size_t i : order) {
    sorted.values.insert(sorted.values.end(), rows.values.begin() + i * rows.features,
                         rows.values.begin() + (i + 1) * rows.features);
    sorted.labels.push_back(rows.labels[i]);
    sorted.ts.push_back(rows.ts[i]);
    sorted.rule_score.push_back(rows.rule_score[i]);
  }
  size_t split = static_cast<size_t>(double(sorted.size()) * (1 - *valid_fraction));
  while (split > 0 && split < sorted.size() && sorted.ts[split] == sorted.ts[split - 1]) ++split;
  if (split == 0 || split >= sorted.size()) {
    return report(make_error(Errc::kInvalidArgument, "cannot split the events by time"));
  }
  int64_t valid_fraud = 0, train_fraud = 0;
  for (size_t i = 0; i < sorted.size(); ++i)
    (i < split ? train_fraud : valid_fraud) += sorted.labels[i] > 0.5f;
  if (train_fraud < 5 || valid_fraud < 5) {
    return report(make_error(
        Errc::kInvalidArgument,
        "too few frauds to train and validate on (" + std::to_string(train_fraud) + " before " +
            format_utc(sorted.ts[split]) + ", " + std::to_string(valid_fraud) +
            " after; at least 5 each): give more history or a larger --valid-fraction"));
  }
  model::Matrix train_m, valid_m;
  train_m.features = valid_m.features = sorted.features;
  train_m.values.assign(sorted.values.begin(),
                        sorted.values.begin() + static_cast<ptrdiff_t>(split * sorted.features));
  train_m.labels.assign(sorted.labels.begin(),
                        sorted.labels.begin() + static_cast<ptrdiff_t>(split));
  valid_m.values.assign(sorted.values.begin() + static_cast<ptrdiff_t>(split * sorted.features),
                        sorted.values.end());
  valid_m.labels.assign(sorted.labels.begin() + static_cast<ptrdiff_t>(split), sorted.labels.end());
  model::TrainOptions o;
  o.max_rounds = static_cast<int>(*rounds);
  o.max_depth = static_cast<int>(*depth);
  o.eta = *eta;
  o.seed = static_cast<uint64_t>(*seed);
  o.threads = static_cast<int>(*threads);
  auto trained = model::train(train_m, valid_m, o);
  if (!trained.ok()) return report(trained.error());
  auto trees = model::TreeEnsemble::from_xgboost_json(trained->booster_json);
  if (!trees.ok()) return report(trees.error());

  // Validation: the model's scores, and the threshold with the best F1 for the policy
  // that deploys it (FLAG when the rules or the model flag).
  std::vector<double> p(sorted.size() - split);
  std::vector<double> x(sorted.features);
  pipeline::ScoreCurve scored(1000);  // in steps of 1/1000, as eval --model draws it
  for (size_t i = split; i < sorted.size(); ++i) {
    for (size_t j = 0; j < sorted.features; ++j) x[j] = sorted.values[i * sorted.features + j];
    p[i - split] = trees->predict(x);
    scored.add(static_cast<int>(std::lround(p[i - split] * 1000)), sorted.labels[i] > 0.5f);
  }
  model::Manifest m;
  m.name = shared_pack->name();
  for (const auto& [name, expr] : shared_pack->model_features()) m.features.push_back(name);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(hash_bytes(features_text)));
  m.features_version = hex;
  m.pack = shared_pack->name() + " " + base->version();
  m.data_from = sorted.ts.front();
  m.split_at = sorted.ts[split];
  m.data_to = sorted.ts.back();
  m.train_rows = static_cast<int64_t>(split);
  m.valid_rows = static_cast<int64_t>(sorted.size() - split);
  for (size_t i = 0; i < sorted.size(); ++i) {
    (i < split ? m.train_frauds : m.valid_frauds) += sorted.labels[i] > 0.5f;
  }
  m.rounds = trained->rounds;
  m.scale_pos_weight = trained->scale_pos_weight;
  m.valid_auprc = scored.auprc();
  const size_t end = sorted.size();
  auto rules_flag = [&](size_t i) { return sorted.rule_score[i] >= 60; };
  const pipeline::Confusion rules_c = confusion(sorted, split, end, rules_flag);
  // The policy: FLAG when the model's score >= t, or the rules flag and it is >= c (c = 0:
  // every rule flag stands). Both from the validation rows, for the best F1; ties keep
  // the lower c (trusting the rules) and then the lower t.
  auto combined_flag = [&](double t, double c) {
    return [&, t, c](size_t i) {
      const double s = p[i - split];
      return s >= t || (rules_flag(i) && s >= c);
    };
  };
  double best_f1 = -1;
  for (double c : {0.0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5}) {
    for (int k = 1; k < 1000; ++k) {
      const double t = k / 1000.0;
      if (t < c) continue;
      const double f1 = confusion(sorted, split, end, combined_flag(t, c)).f1();
      if (f1 > best_f1 + 1e-12) {
        best_f1 = f1;
        m.threshold = t;
        m.confirm_threshold = c;
      }
    }
  }
  const pipeline::Confusion model_c =
      confusion(sorted, split, end, [&](size_t i) { return p[i - split] >= m.threshold; });
  const pipeline::Confusion combined_c =
      confusion(sorted, split, end, combined_flag(m.threshold, m.confirm_threshold));
  m.valid_precision = model_c.precision();
  m.valid_recall = model_c.recall();
  m.valid_f1 = model_c.f1();
  m.rules_precision = rules_c.precision();
  m.rules_recall = rules_c.recall();
  m.rules_f1 = rules_c.f1();
  m.combined_precision = combined_c.precision();
  m.combined_recall = combined_c.recall();
  m.combined_f1 = combined_c.f1();
  m.trained_at = format_utc(clock.now());
  if (Status s = model::save_model(*args.get("out"), m, features_text, trained->booster_json);
      !s.ok()) {
    return report(s.error());
  }
  if (args.has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.begin_object();
    w.key("path").string(*args.get("out"));
    w.key("rows").number(static_cast<int64_t>(sorted.size()));
    w.key("unlabelled").number(rows.unlabelled);
    w.key("train_rows").number(m.train_rows);
    w.key("valid_rows").number(m.valid_rows);
    w.key("valid_frauds").number(m.valid_frauds);
    w.key("rounds").number(int64_t{m.rounds});
    w.key("threshold").number(m.threshold, 3);
    w.key("confirm_threshold").number(m.confirm_threshold, 4);
    w.key("model").begin_object();
    w.key("auprc").number(m.valid_auprc, 4);
    w.key("precision").number(m.valid_precision, 4);
    w.key("recall").number(m.valid_recall, 4);
    w.key("f1").number(m.valid_f1, 4);
    w.end_object();
    w.key("rules").begin_object();
    w.key("precision").number(m.rules_precision, 4);
    w.key("recall").number(m.rules_recall, 4);
    w.key("f1").number(m.rules_f1, 4);
    w.end_object();
    w.key("combined").begin_object();
    w.key("precision").number(m.combined_precision, 4);
    w.key("recall").number(m.combined_recall, 4);
    w.key("f1").number(m.combined_f1, 4);
    w.end_object();
    w.end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::printf(
        "trained on %lld events (%lld frauds) from %s, validated on %lld (%lld frauds) from %s\n"
        "%d rounds; validation AUPRC %.4f; policy: FLAG at model score >= %.3f, or when the\n"
        "rules flag and the model's score is >= %.4f\n"
        "validation  rules    precision %.4f recall %.4f F1 %.4f\n"
        "            model    precision %.4f recall %.4f F1 %.4f\n"
        "            combined precision %.4f recall %.4f F1 %.4f\n"
        "wrote %s\n",
        static_cast<long long>(m.train_rows), static_cast<long long>(m.train_frauds),
        format_utc(m.data_from).c_str(), static_cast<long long>(m.valid_rows),
        static_cast<long long>(m.valid_frauds), format_utc(m.split_at).c_str(), m.rounds,
        m.valid_auprc, m.threshold, m.confirm_threshold, m.rules_precision, m.rules_recall,
        m.rules_f1, m.valid_precision, m.valid_recall, m.valid_f1, m.combined_precision,
        m.combined_recall, m.combined_f1, args.get("out")->c_str());
  }
  return kExitOk;
}

}  // namespace wf::app
