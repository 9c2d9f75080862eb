// A trained model scoring beside the rules: the features a training replay collects are
// the features scoring computes, and the decision policies do what they say.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <string>

#include "core/time.h"
#include "gen/ph_ewallet.h"
#include "model/model_file.h"
#include "model/trainer.h"
#include "pipeline/backtest.h"
#include "pipeline/processor.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

struct Traffic {
  gen::Dimensions dims;
  std::vector<std::string> lines;  // padded for the decoder
  std::vector<size_t> sizes;
  std::map<std::string, bool> fraud;
};

Traffic traffic() {
  gen::SeedOptions so;
  so.users = 500;
  so.merchants = 50;
  so.seed = 5;
  so.now = *parse_rfc3339("2026-11-01T00:00:00Z");
  Traffic t;
  t.dims = gen::seed_dimensions(so);
  gen::StreamOptions o;
  o.seed = 6;
  o.fraud_rate = 0.05;
  o.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  o.tx_per_user_per_day = 60;
  gen::StreamGenerator g(t.dims, o);
  for (int i = 0; i < 12'000; ++i) {
    std::string line;
    gen::Label label;
    if (!g.next(&line, &label)) continue;
    line.pop_back();
    t.sizes.push_back(line.size());
    line.append(stream::kRecordPadding, ' ');
    t.lines.push_back(std::move(line));
    t.fraud[label.transaction_id] = label.is_fraud;
  }
  return t;
}

class ModelScoring : public ::testing::Test {
 protected:
  ModelScoring()
      : pii_(*PiiProtector::from_key("test-key-0123456789")),
        clock_(*parse_rfc3339("2026-11-02T00:00:00Z")) {
    auto base = rules::RulePack::builtin("ph-ewallet");
    auto pack = rules::RulePack::parse_with_features(
        base->text(), "ph-ewallet", rules::RulePack::builtin_features_text("ph-ewallet"),
        "features");
    EXPECT_TRUE(pack.ok()) << pack.error().message;
    pack_ = std::make_shared<const rules::RulePack>(std::move(*pack));
  }

  // Every event of `t` through `p`; the facts, in order.
  std::vector<store::FactRow> run(Processor& p, const Traffic& t) {
    std::vector<store::FactRow> facts;
    store::Batch batch;
    for (size_t i = 0; i < t.lines.size(); ++i) {
      p.process(stream::Record{std::string_view(t.lines[i].data(), t.sizes[i]),
                               static_cast<int64_t>(i), false},
                &batch, &arena_);
    }
    for (const store::FactRow& f : batch.facts) facts.push_back(f);
    kept_.push_back(std::move(batch));
    return facts;
  }

  PiiProtector pii_;
  ManualClock clock_;
  std::shared_ptr<const rules::RulePack> pack_;
  Arena arena_;
  std::deque<store::Batch> kept_;
};

TEST_F(ModelScoring, TrainingFeaturesAreScoringFeaturesAndPoliciesHold) {
  const Traffic t = traffic();
  // Training: collect every event's features and the rules' score.
  Processor trainer(pack_, pii_, clock_);
  trainer.load_users(t.dims.users);
  trainer.load_merchants(t.dims.merchants);
  const size_t nf = pack_->model_features().size();
  ASSERT_GE(nf, 15u);
  std::vector<std::vector<double>> collected;
  model::Matrix train, valid;
  train.features = valid.features = nf;
  trainer.collect_features([&](std::string_view id, Instant, int, std::span<const double> f) {
    collected.emplace_back(f.begin(), f.end());
    model::Matrix& m = collected.size() <= 9'000 ? train : valid;
    for (double v : f) m.values.push_back(static_cast<float>(v));
    m.labels.push_back(t.fraud.at(std::string(id)) ? 1.0f : 0.0f);
  });
  run(trainer, t);
  ASSERT_GT(collected.size(), 11'000u);
  auto trained = model::train(train, valid, {});
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  model::Manifest manifest;
  for (const auto& [name, expr] : pack_->model_features()) manifest.features.push_back(name);
  manifest.threshold = 0.9;
  manifest.confirm_threshold = 0.05;
  testing::TempDir dir;
  ASSERT_TRUE(model::save_model(dir.file("m.json"), manifest,
                                std::string(rules::RulePack::builtin_features_text("ph-ewallet")),
                                trained->booster_json)
                  .ok());
  auto loaded = model::load_model(dir.file("m.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto m = std::make_shared<const model::Model>(std::move(*loaded));

  // Scoring the same events: the same features, so the score of each is the model's
  // prediction on what training saw.
  for (auto policy : {Processor::ModelPolicy::kShadow, Processor::ModelPolicy::kCombined}) {
    Processor scorer(pack_, pii_, clock_);
    scorer.load_users(t.dims.users);
    scorer.load_merchants(t.dims.merchants);
    scorer.set_model(m, manifest.threshold, manifest.confirm_threshold, policy);
    std::vector<store::FactRow> facts = run(scorer, t);
    ASSERT_EQ(facts.size(), collected.size());
    int64_t raised = 0, vetoed = 0, confirmed = 0;
    for (size_t i = 0; i < facts.size(); ++i) {
      const store::FactRow& f = facts[i];
      ASSERT_FALSE(std::isnan(f.model_score)) << i;
      ASSERT_DOUBLE_EQ(f.model_score, m->trees.predict(collected[i])) << i;
      const bool rules_flag = domain::verdict_for(f.fraud_score) == domain::Verdict::kFlag;
      const bool flag = f.verdict == domain::Verdict::kFlag;
      if (policy == Processor::ModelPolicy::kShadow) {
        ASSERT_EQ(f.verdict, domain::verdict_for(f.fraud_score)) << i;
        continue;
      }
      // FLAG exactly when the model's score reaches the threshold, or the rules flag and
      // the model confirms.
      ASSERT_EQ(flag, f.model_score >= manifest.threshold ||
                          (rules_flag && f.model_score >= manifest.confirm_threshold))
          << i;
      if (flag && !rules_flag) {
        ++raised;
        EXPECT_NE(f.reasons.find("MODEL: fraud score"), std::string_view::npos) << f.reasons;
        EXPECT_EQ(f.alert_type, "MODEL learned_score");
      }
      if (rules_flag && !flag) {
        ++vetoed;
        EXPECT_EQ(f.verdict, domain::Verdict::kMonitor);
        EXPECT_NE(f.reasons.find("does not confirm"), std::string_view::npos) << f.reasons;
      }
      confirmed += rules_flag && flag;
    }
    if (policy == Processor::ModelPolicy::kCombined) {
      EXPECT_GT(confirmed, 100);
      EXPECT_EQ(scorer.counters().model_flagged, raised);
      EXPECT_EQ(scorer.counters().model_vetoed, vetoed);
      EXPECT_EQ(scorer.counters().model_scored, static_cast<int64_t>(facts.size()));
    }
  }
}

// A model whose manifest lists other features than its features file cannot be loaded
// beside the rules: checked where packs and models are joined (app); here, the pack
// compiled without the features has none to give.
TEST_F(ModelScoring, APackWithoutTheFeaturesGivesNone) {
  auto plain = rules::RulePack::builtin("ph-ewallet");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->model_features().empty());
  EXPECT_FALSE(pack_->model_features().empty());
  EXPECT_NE(plain->version(), pack_->version()) << "decisions trace to rules and features";
}

}  // namespace
}  // namespace wf::pipeline
