// process --model: a changed model file is loaded off the scoring path and handed over
// with the rules recompiled for its features; a bad one leaves the running model.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/rules_watcher.h"
#include "core/rng.h"
#include "model/trainer.h"
#include "support/temp_dir.h"

namespace wf::app {
namespace {

const char* kFeatures =
    "[[model_feature]]\nname = \"amount\"\nexpr = \"amount\"\n"
    "[[model_feature]]\nname = \"hour\"\nexpr = \"local_hour\"\n";

// A small model on the two features above, its manifest stamped `trained_at`.
void write_model(const std::string& path, const std::string& trained_at, const char* features) {
  Rng rng(7);
  model::Matrix train, valid;
  train.features = valid.features = 2;
  for (int i = 0; i < 2000; ++i) {
    model::Matrix& m = i < 1600 ? train : valid;
    const double amount = rng.uniform() * 100'000, hour = double(rng.below(24));
    m.values.push_back(static_cast<float>(amount));
    m.values.push_back(static_cast<float>(hour));
    m.labels.push_back(amount > 50'000 && hour < 5 ? 1.0f : 0.0f);
  }
  model::TrainOptions o;
  o.max_rounds = 5;
  auto trained = model::train(train, valid, o);
  ASSERT_TRUE(trained.ok()) << trained.error().message;
  model::Manifest m;
  m.features = {"amount", "hour"};
  m.threshold = 0.5;
  m.trained_at = trained_at;
  ASSERT_TRUE(model::save_model(path, m, features, trained->booster_json).ok());
}

template <typename F>
bool eventually(F f) {
  for (int i = 0; i < 400; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(ModelReload, AChangedModelArrivesWithItsRulesABadOneIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("model.json");
  write_model(path, "2026-01-01T00:00:00Z", kFeatures);
  auto first = model::load_model(path);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto running_model = std::make_shared<const model::Model>(std::move(*first));
  const std::string rules(rules::RulePack::builtin_text("ph-ewallet"));
  auto running = pack_with_model(rules, "builtin:ph-ewallet", *running_model, path);
  ASSERT_TRUE(running.ok()) << running.error().message;
  ASSERT_EQ(running->model_features().size(), 2u);

  pipeline::RulesMailbox mailbox;
  RulesWatcher watcher("", rules, "builtin:ph-ewallet", path, running_model, running->version(),
                       mailbox);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // A retrained model: the pack (same rules, same features) and the new model arrive.
  write_model(dir.file("next.json"), "2026-02-01T00:00:00Z", kFeatures);
  std::filesystem::rename(dir.file("next.json"), path);  // an atomic replace, as train does
  pipeline::RulesMailbox::Update update;
  ASSERT_TRUE(eventually([&] { return (update = mailbox.take_both()).pack != nullptr; }));
  std::shared_ptr<const rules::RulePack> pack = update.pack;
  std::shared_ptr<const model::Model> model = update.model;
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->manifest.trained_at, "2026-02-01T00:00:00Z");
  EXPECT_EQ(pack->model_features().size(), 2u);
  EXPECT_EQ(watcher.reloads(), 1);

  // Not a model, then a model whose features do not compile: both refused, nothing sent.
  std::ofstream(dir.file("bad.json")) << "{\"walletflow_model\": 2}";
  std::filesystem::rename(dir.file("bad.json"), path);
  ASSERT_TRUE(eventually([&] { return watcher.errors() == 1; }));
  write_model(dir.file("typo.json"), "2026-03-01T00:00:00Z",
              "[[model_feature]]\nname = \"amount\"\nexpr = \"amout\"\n"
              "[[model_feature]]\nname = \"hour\"\nexpr = \"local_hour\"\n");
  std::filesystem::rename(dir.file("typo.json"), path);
  ASSERT_TRUE(eventually([&] { return watcher.errors() == 2; }));
  EXPECT_EQ(mailbox.take(), nullptr);
  EXPECT_EQ(watcher.reloads(), 1);
}

}  // namespace
}  // namespace wf::app
