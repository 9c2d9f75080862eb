#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/rng.h"
#include "model/model_file.h"
#include "model/trainer.h"
#include "model/trees.h"
#include "support/temp_dir.h"

namespace wf::model {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fraud when x0 is high and x1 low, or when x2 is missing and x0 very high; noise on top.
Matrix synthetic(uint64_t seed, size_t rows) {
  Rng rng(seed);
  Matrix m;
  m.features = 3;
  for (size_t i = 0; i < rows; ++i) {
    const double x0 = rng.uniform(), x1 = rng.uniform();
    const bool missing = rng.chance(0.2);
    const double x2 = missing ? kNaN : rng.uniform() * 10;
    bool fraud = (x0 > 0.8 && x1 < 0.3) || (missing && x0 > 0.9);
    if (rng.chance(0.02)) fraud = !fraud;
    m.values.push_back(static_cast<float>(x0));
    m.values.push_back(static_cast<float>(x1));
    m.values.push_back(static_cast<float>(x2));
    m.labels.push_back(fraud ? 1.0f : 0.0f);
  }
  return m;
}

TrainResult trained() {
  static const TrainResult result = [] {
    TrainOptions o;
    o.max_rounds = 60;
    o.max_depth = 4;
    auto r = train(synthetic(1, 4000), synthetic(2, 1000), o);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : TrainResult{};
  }();
  return result;
}

// The native trees score exactly as XGBoost itself does, missing values included.
TEST(TreeEnsemble, ScoresAsXGBoostDoes) {
  const TrainResult r = trained();
  ASSERT_FALSE(r.booster_json.empty());
  EXPECT_GT(r.rounds, 5);
  EXPECT_GT(r.scale_pos_weight, 1) << "fraud is the rare class";
  auto trees = TreeEnsemble::from_xgboost_json(r.booster_json);
  ASSERT_TRUE(trees.ok()) << trees.error().message;
  EXPECT_EQ(trees->features(), 3u);
  EXPECT_EQ(trees->trees(), static_cast<size_t>(r.rounds));

  BoosterHandle booster = nullptr;
  ASSERT_EQ(XGBoosterCreate(nullptr, 0, &booster), 0);
  ASSERT_EQ(XGBoosterLoadModelFromBuffer(booster, r.booster_json.data(), r.booster_json.size()), 0)
      << XGBGetLastError();
  const Matrix test = synthetic(3, 500);
  DMatrixHandle dm = nullptr;
  ASSERT_EQ(XGDMatrixCreateFromMat(test.values.data(), test.rows(), 3,
                                   std::numeric_limits<float>::quiet_NaN(), &dm),
            0);
  bst_ulong len = 0;
  const float* predictions = nullptr;
  ASSERT_EQ(XGBoosterPredict(booster, dm, 0, 0, 0, &len, &predictions), 0) << XGBGetLastError();
  ASSERT_EQ(len, test.rows());
  int fraud_like = 0;
  for (size_t i = 0; i < test.rows(); ++i) {
    double x[3];
    for (size_t j = 0; j < 3; ++j) x[j] = test.values[i * 3 + j];
    EXPECT_NEAR(trees->predict(x), predictions[i], 1e-5) << i;
    fraud_like += trees->predict(x) > 0.5;
    // Contributions add up to the margin.
    double contrib[3], bias = 0;
    trees->contributions(x, contrib, &bias);
    EXPECT_NEAR(bias + contrib[0] + contrib[1] + contrib[2], trees->margin(x), 1e-4) << i;
  }
  EXPECT_GT(fraud_like, 10);
  XGDMatrixFree(dm);
  XGBoosterFree(booster);
}

TEST(TreeEnsemble, ContributionsNameTheFeatureThatDecides) {
  auto trees = TreeEnsemble::from_xgboost_json(trained().booster_json);
  ASSERT_TRUE(trees.ok());
  const double fraud[3] = {0.95, 0.1, 5};  // x0 high, x1 low: fraud
  double c[3], bias = 0;
  trees->contributions(fraud, c, &bias);
  EXPECT_GT(trees->predict(fraud), 0.5);
  EXPECT_GT(c[0], 0);
  EXPECT_GT(c[1], 0);
  EXPECT_GT(c[0] + c[1], std::abs(c[2]));
  const double legit[3] = {0.2, 0.9, 5};
  EXPECT_LT(trees->predict(legit), 0.5);
}

TEST(Trainer, RefusesWhatCannotBeTrained) {
  Matrix only_legit = synthetic(4, 100);
  for (float& y : only_legit.labels) y = 0;
  EXPECT_EQ(train(only_legit, synthetic(5, 100), {}).error().code, Errc::kInvalidArgument);
  Matrix other = synthetic(6, 100);
  other.features = 2;
  EXPECT_EQ(train(synthetic(7, 100), other, {}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(train(Matrix{}, synthetic(8, 10), {}).error().code, Errc::kInvalidArgument);
}

TEST(ModelFile, RoundTripsAndRefusesOtherFiles) {
  testing::TempDir dir;
  const std::string path = dir.file("m.json");
  Manifest m;
  m.name = "test";
  m.features = {"x0", "x1", "x2"};
  m.threshold = 0.42;
  m.valid_auprc = 0.9;
  m.data_from = *parse_rfc3339("2026-01-01T00:00:00Z");
  m.split_at = *parse_rfc3339("2026-01-20T00:00:00Z");
  const std::string features = "[[model_feature]]\nname = \"x0\"\nexpr = \"amount\"\n";
  ASSERT_TRUE(save_model(path, m, features, trained().booster_json).ok());
  auto loaded = load_model(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->manifest.features, m.features);
  EXPECT_DOUBLE_EQ(loaded->manifest.threshold, 0.42);
  EXPECT_EQ(loaded->manifest.split_at, m.split_at);
  EXPECT_EQ(loaded->features_text, features);
  const double x[3] = {0.95, 0.1, kNaN};
  auto direct = TreeEnsemble::from_xgboost_json(trained().booster_json);
  EXPECT_DOUBLE_EQ(loaded->trees.predict(x), direct->predict(x));

  // Not a model, a manifest that does not match its trees, a missing file.
  std::ofstream(dir.file("x.json")) << R"({"learner": {}})";
  auto not_model = load_model(dir.file("x.json"));
  ASSERT_FALSE(not_model.ok());
  EXPECT_EQ(not_model.error().code, Errc::kConfig);
  EXPECT_NE(not_model.error().message.find("walletflow train"), std::string::npos);
  m.features = {"x0", "x1"};
  ASSERT_TRUE(save_model(path, m, features, trained().booster_json).ok());
  auto mismatch = load_model(path);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("3 features"), std::string::npos)
      << mismatch.error().message;
  EXPECT_EQ(load_model(dir.file("none.json")).error().code, Errc::kIo);
  EXPECT_EQ(TreeEnsemble::from_xgboost_json("{").error().code, Errc::kConfig);
}

// A model file is user input: every malformed tree is a clear error, never a walk that
// reads past the nodes or scores NaN.
TEST(TreeEnsemble, RefusesMalformedTrees) {
  auto model = [](const std::string& base_score, const std::string& tree) {
    return R"({"learner":{"objective":{"name":"binary:logistic"},"learner_model_param":)"
           R"({"base_score":")" +
           base_score + R"(","num_feature":"2"},"gradient_booster":{"model":{"trees":[)" + tree +
           "]}}}}";
  };
  const std::string good =
      R"({"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[1,0,0],)"
      R"("split_conditions":[0.5,-1,1],"default_left":[1,0,0],"sum_hessian":[2,1,1]})";
  auto ok = TreeEnsemble::from_xgboost_json(model("5E-1", good));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const double low[2] = {0, 0.2}, high[2] = {0, 0.7}, missing[2] = {0, kNaN};
  EXPECT_NEAR(ok->margin(low), -1, 1e-9);
  EXPECT_NEAR(ok->margin(high), 1, 1e-9);
  EXPECT_NEAR(ok->margin(missing), -1, 1e-9) << "default left";
  auto tree = [&](const std::string& field, const std::string& value) {
    std::string t = good;
    const size_t at = t.find("\"" + field + "\":");
    const size_t open = t.find('[', at), close = t.find(']', open);
    return t.replace(open, close - open + 1, value);
  };
  const std::pair<std::string, std::string> bad[] = {
      {"nan", good},                                         // base score not a probability
      {"1", good},                                           // certain: no log-odds
      {"5E-1", tree("split_conditions", "[\"nan\",-1,1]")},  // a NaN threshold
      {"5E-1", tree("split_conditions", "[1e300,-1,1]")},    // not a float
      {"5E-1", tree("split_indices", "[7,0,0]")},            // no feature 7
      {"5E-1", tree("left_children", "[1e300,-1,-1]")},      // a link out of range
      {"5E-1", tree("right_children", "[1,-1,-1]")},         // both children one node
      {"5E-1", tree("left_children", "[0,-1,-1]")},          // a loop to itself
      {"5E-1", tree("sum_hessian", "[2,1]")},                // arrays of unequal length
  };
  for (const auto& [base, t] : bad) {
    auto r = TreeEnsemble::from_xgboost_json(model(base, t));
    ASSERT_FALSE(r.ok()) << base << " " << t;
    EXPECT_EQ(r.error().code, Errc::kConfig);
  }
  // Too few features to score: NaN, no read past them.
  const double short_x[1] = {0};
  EXPECT_TRUE(std::isnan(ok->margin(std::span<const double>(short_x, 1))));
}

}  // namespace
}  // namespace wf::model
