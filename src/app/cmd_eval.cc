// walletflow eval: precision, recall and F1 of the stored decisions against labels.
// overall compares FLAG decisions with is_fraud (its confusion matrix, and the area under
// the precision-recall curve of the scores); thresholds gives precision and recall when
// flagging at each score; rules.<id> measures each rule: recall = share of events
// labelled with the rule's pattern on which it fired, precision = share of events it
// fired on that are labelled fraud; baseline scores the detector the data came with
// (PaySim's isFlaggedFraud) the same way, when the labels carry it.
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/common.h"
#include "app/output_file.h"
#include "codec/label_codec.h"
#include "core/json_writer.h"
#include "model/model_file.h"
#include "pipeline/confusion.h"
#include "pipeline/pr_curve.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow eval --store sqlite:PATH --labels FILE [--json]\n"
    "\n"
    "Loads the labels file (JSON lines: transaction_id, is_fraud, pattern) into the\n"
    "store's labels table and scores the stored decisions against it.\n"
    "\n"
    "options:\n"
    "  --store URI     the store that processed the labelled stream (required)\n"
    "  --labels FILE   labels written by 'walletflow generate --labels-out' (required)\n"
    "  --rules FILE    rule pack whose rules are reported (default: the profile's)\n"
    "  --profile NAME  ph-ewallet (default), card, ecommerce or paysim\n"
    "  --pr-curve FILE write the precision-recall curve of the scores as SVG (with the\n"
    "                  baseline detector's point when the labels carry one)\n"
    "  --model FILE    the model the store's events were scored with (process --model):\n"
    "                  its threshold for the model's and the combination's figures\n"
    "  --model-threshold X  flag at model score >= X instead (default 0.5 without --model)\n"
    "  --json          machine-readable output ('overall' is the rules; with model scores\n"
    "                  also 'model' and 'combined': rules or model)\n";

using pipeline::Confusion;

// Per rule: fired/fraud split for precision, pattern hits for recall.
struct RuleStats {
  int64_t fired = 0, fired_fraud = 0, labelled = 0, labelled_hit = 0;
  double precision() const { return fired == 0 ? 0.0 : double(fired_fraud) / double(fired); }
  double recall() const { return labelled == 0 ? 0.0 : double(labelled_hit) / double(labelled); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
};

void write_confusion(JsonWriter& w, const Confusion& c) {
  w.key("tp").number(c.tp);
  w.key("fp").number(c.fp);
  w.key("fn").number(c.fn);
  w.key("tn").number(c.tn);
  w.key("precision").number(c.precision(), 4);
  w.key("recall").number(c.recall(), 4);
  w.key("f1").number(c.f1(), 4);
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("labels").option("rules").option("profile").option("pr-curve");
  args.option("model").option("model-threshold");
  args.option("json", true);
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  auto labels_path = args.get("labels");
  if (!labels_path) return usage_error(args, "--labels is required");

  auto pack = load_pack(args);
  if (!pack.ok()) return report(pack.error());
  // The model's policy: --model-threshold, else the manifest of --model, else 0.5 (and
  // every rule flag standing).
  double threshold = 0.5, confirm = 0;
  if (auto path = args.get("model")) {
    auto m = model::load_model(*path);
    if (!m.ok()) return report(m.error());
    threshold = m->manifest.threshold;
    confirm = m->manifest.confirm_threshold;
  }
  if (args.has("model-threshold")) {
    auto t = args.get_double("model-threshold", 0.5, 1e-6, 1 - 1e-6);
    if (!t.ok()) return usage_error(args, t.error().message);
    threshold = *t;
    confirm = std::min(confirm, threshold);
  }
  auto labels = codec::read_labels_file(*labels_path);
  if (!labels.ok()) return report(labels.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());

  std::vector<store::LabelRow> rows;
  rows.reserve(labels->size());
  for (auto& l : *labels) {
    rows.push_back({std::move(l.transaction_id), l.is_fraud, l.pattern, l.baseline});
  }
  Status loaded = (*store)->replace_labels(rows);
  if (!loaded.ok()) return report(loaded.error());

  Confusion overall, baseline, by_model, combined;
  bool has_baseline = false;
  int64_t model_scored = 0;
  pipeline::ScoreCurve curve;
  // The model's probability and the combination's score, in steps of 1/1000.
  pipeline::ScoreCurve model_curve(1000), combined_curve(1000);
  std::vector<RuleStats> per_rule(pack->rules().size());
  int64_t events = 0, lost = 0, labelled_fraud = 0;
  Status scanned = (*store)->scan_eval([&](const store::EvalRow& r) {
    ++events;
    if (r.labelled && !r.stored) ++lost;
    // The rules' own verdict (a model may have raised the stored one).
    bool flag = r.stored && domain::verdict_for(r.fraud_score) == domain::Verdict::kFlag;
    bool fraud = r.labelled && r.is_fraud;
    labelled_fraud += fraud;
    overall.add(flag, fraud);
    curve.add(r.stored ? r.fraud_score : -1, fraud);
    const bool scored = r.stored && !std::isnan(r.model_score);
    model_scored += scored;
    const bool model_flag = scored && r.model_score >= threshold;
    by_model.add(model_flag, fraud);
    // The combined policy: the model's flags, and the rules' that it confirms.
    combined.add(model_flag || (flag && (!scored || r.model_score >= confirm)), fraud);
    const int p = scored ? static_cast<int>(std::lround(r.model_score * 1000)) : -1;
    model_curve.add(p, fraud);
    // The combination's score ranks as its policy decides: a rule flag the model confirms
    // counts as reaching the model's threshold; everything else by the model's score.
    int combined_score = r.stored ? r.fraud_score * 10 : -1;
    if (scored) {
      combined_score = flag && r.model_score >= confirm
                           ? std::max(p, static_cast<int>(std::lround(threshold * 1000)))
                           : p;
    }
    combined_curve.add(combined_score, fraud);
    if (r.labelled && r.baseline >= 0) {
      has_baseline = true;
      baseline.add(r.baseline == 1, fraud);
    }
    for (size_t i = 0; i < per_rule.size(); ++i) {
      const std::string& id = pack->rules()[i].id;
      bool hit = r.stored && domain::fired_in(r.rules_fired, id);
      RuleStats& s = per_rule[i];
      if (hit) {
        ++s.fired;
        s.fired_fraud += fraud;
      }
      if (r.labelled && r.pattern == id) {
        ++s.labelled;
        s.labelled_hit += hit;
      }
    }
  });
  if (!scanned.ok()) return report(scanned.error());
  const std::vector<pipeline::ScoreCurve::Point> points = curve.points();
  const double auprc = curve.auprc();
  if (auto path = args.get("pr-curve")) {
    auto out = OutputFile::open(*path);
    if (!out.ok()) return report(out.error());
    std::vector<pipeline::PrSeries> series(1);
    series[0].name = model_scored == 0 ? "rules: score >= threshold" : "rules";
    series[0].points = points;
    series[0].auprc = auprc;
    if (model_scored > 0) {
      series.resize(3);
      series[1].name = "model";
      series[1].points = model_curve.points();
      series[1].auprc = model_curve.auprc();
      series[2].name = "rules and model";
      series[2].points = combined_curve.points();
      series[2].auprc = combined_curve.auprc();
    }
    (*out)->buffer() = pipeline::pr_curve_svg(
        "Precision-recall of " + pack->name() + " (" + std::to_string(curve.positives()) +
            " frauds in " + std::to_string(events) + " events)",
        series, has_baseline ? &baseline : nullptr);
    if (Status s = (*out)->flush(); !s.ok()) return report(s.error());
  }

  if (args.has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.begin_object();
    w.key("events").number(events);
    w.key("labels").number(static_cast<int64_t>(rows.size()));
    w.key("labelled_fraud").number(labelled_fraud);
    w.key("labelled_not_stored").number(lost);
    w.key("overall").begin_object();
    write_confusion(w, overall);
    w.key("auprc").number(auprc, 4);
    w.end_object();
    w.key("thresholds").begin_array();
    for (const auto& p : points) {
      w.begin_object();
      w.key("score").number(int64_t{p.threshold});
      w.key("flagged").number(p.at.tp + p.at.fp);
      w.key("precision").number(p.at.precision(), 4);
      w.key("recall").number(p.at.recall(), 4);
      w.key("f1").number(p.at.f1(), 4);
      w.end_object();
    }
    w.end_array();
    if (has_baseline) {
      w.key("baseline").begin_object();
      write_confusion(w, baseline);
      w.end_object();
    }
    if (model_scored > 0) {
      w.key("model").begin_object();
      write_confusion(w, by_model);
      w.key("auprc").number(model_curve.auprc(), 4);
      w.key("threshold").number(threshold, 4);
      w.key("confirm_threshold").number(confirm, 4);
      w.key("scored").number(model_scored);
      w.end_object();
      w.key("combined").begin_object();
      write_confusion(w, combined);
      w.key("auprc").number(combined_curve.auprc(), 4);
      w.end_object();
    }
    w.key("rules").begin_object();
    for (size_t i = 0; i < per_rule.size(); ++i) {
      const RuleStats& s = per_rule[i];
      w.key(pack->rules()[i].id).begin_object();
      w.key("name").string(pack->rules()[i].name);
      w.key("fired").number(s.fired);
      w.key("labelled").number(s.labelled);
      w.key("tp").number(s.fired_fraud);
      w.key("fp").number(s.fired - s.fired_fraud);
      w.key("fn").number(s.labelled - s.labelled_hit);
      w.key("precision").number(s.precision(), 4);
      w.key("recall").number(s.recall(), 4);
      w.key("f1").number(s.f1(), 4);
      w.end_object();
    }
    w.end_object();
    w.end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("events %lld, labelled fraud %lld, labelled but not stored %lld\n",
                static_cast<long long>(events), static_cast<long long>(labelled_fraud),
                static_cast<long long>(lost));
    std::printf(
        "overall (FLAG vs is_fraud): precision %.4f recall %.4f f1 %.4f, AUPRC of the scores "
        "%.4f\n",
        overall.precision(), overall.recall(), overall.f1(), auprc);
    std::printf("                 labelled fraud  labelled legit\n");
    std::printf("  FLAG           %14lld  %14lld\n", static_cast<long long>(overall.tp),
                static_cast<long long>(overall.fp));
    std::printf("  not FLAG       %14lld  %14lld\n", static_cast<long long>(overall.fn),
                static_cast<long long>(overall.tn));
    std::printf("flagging at score >= t:\n");
    for (const auto& p : points) {
      std::printf("  t %3d  flagged %8lld  precision %.4f  recall %.4f  f1 %.4f\n", p.threshold,
                  static_cast<long long>(p.at.tp + p.at.fp), p.at.precision(), p.at.recall(),
                  p.at.f1());
    }
    if (model_scored > 0) {
      std::printf(
          "model (score >= %.3f, %lld scored): precision %.4f recall %.4f f1 %.4f, AUPRC %.4f\n"
          "combined (the model's flags, and the rules' it confirms at >= %.4f): precision %.4f "
          "recall %.4f f1 %.4f, AUPRC %.4f\n",
          threshold, static_cast<long long>(model_scored), by_model.precision(), by_model.recall(),
          by_model.f1(), model_curve.auprc(), confirm, combined.precision(), combined.recall(),
          combined.f1(), combined_curve.auprc());
    }
    if (has_baseline) {
      std::printf(
          "baseline detector: precision %.4f recall %.4f f1 %.4f (tp %lld fp %lld fn %lld)\n",
          baseline.precision(), baseline.recall(), baseline.f1(),
          static_cast<long long>(baseline.tp), static_cast<long long>(baseline.fp),
          static_cast<long long>(baseline.fn));
    }
    for (size_t i = 0; i < per_rule.size(); ++i) {
      const RuleStats& s = per_rule[i];
      std::printf("  %-5s %-24s fired %7lld  precision %.4f  recall %.4f (%lld/%lld)\n",
                  pack->rules()[i].id.c_str(), pack->rules()[i].name.c_str(),
                  static_cast<long long>(s.fired), s.precision(), s.recall(),
                  static_cast<long long>(s.labelled_hit), static_cast<long long>(s.labelled));
    }
  }
  return kExitOk;
}

}  // namespace wf::app
