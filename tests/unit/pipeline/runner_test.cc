#include "pipeline/runner.h"

#include <gtest/gtest.h>

#include <fstream>

#include "store/store.h"
#include "stream/file/file_source.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

std::string event(int i, const std::string& amount = "100.00") {
  return R"({"transaction_id":"tx-)" + std::to_string(i) +
         R"(","event_timestamp":"2026-11-25T10:00:0)" + std::to_string(i % 10) +
         R"(+08:00","user_id":"U)" + std::to_string(i % 3) +
         R"(","transaction_type":"payment","amount":")" + amount + R"(","currency":"PHP"})";
}

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest()
      : pack_(*rules::RulePack::builtin("ph-ewallet")),
        pii_(*PiiProtector::from_key("test-key-0123456789")) {}

  RunnerSnapshot run_file(const std::string& path, size_t batch) {
    auto source = stream::file::FileSource::open(path);
    EXPECT_TRUE(source.ok());
    Processor processor(pack_, pii_, clock_);
    RunnerOptions options;
    options.batch_records = batch;
    Runner runner(**source, *store_, processor, clock_, options);
    std::atomic<bool> stop{false};
    Status s = runner.run(stop);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return runner.snapshot();
  }

  void SetUp() override {
    store_ = std::move(store::open_store("sqlite:" + dir_.file("s.db"))).value();
  }

  testing::TempDir dir_;
  rules::RulePack pack_;
  PiiProtector pii_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RunnerTest, StoresEverythingAndResumesAtTheEnd) {
  std::string path = dir_.file("events.jsonl");
  std::ofstream out(path);
  for (int i = 0; i < 10; ++i) out << event(i) << "\n";
  out << "garbage line\n" << event(10, "abc") << "\n";
  out.close();

  RunnerSnapshot first = run_file(path, 3);
  EXPECT_EQ(first.records, 12);
  EXPECT_EQ(first.dead_letters, 2);
  EXPECT_GE(first.batches, 4);
  auto counts = store_->counts();
  EXPECT_EQ(counts->facts, 10);
  EXPECT_EQ(counts->dead_letters, 2);
  auto source = stream::file::FileSource::open(path);
  EXPECT_EQ(*store_->load_offset((*source)->name()),
            static_cast<int64_t>(std::ifstream(path, std::ios::ate).tellg()));

  RunnerSnapshot second = run_file(path, 3);
  EXPECT_EQ(second.records, 0);
  EXPECT_EQ(store_->counts()->facts, 10);

  // Appended lines are picked up from the stored offset.
  std::ofstream(path, std::ios::app) << event(11) << "\n";
  RunnerSnapshot third = run_file(path, 3);
  EXPECT_EQ(third.records, 1);
  EXPECT_EQ(store_->counts()->facts, 11);
}

TEST_F(RunnerTest, AStopRequestCommitsWhatWasProcessed) {
  std::string path = dir_.file("events.jsonl");
  std::ofstream out(path);
  for (int i = 0; i < 5; ++i) out << event(i) << "\n";
  out.close();
  auto source = stream::file::FileSource::open(path);
  Processor processor(pack_, pii_, clock_);
  Runner runner(**source, *store_, processor, clock_);
  std::atomic<bool> stop{true};
  ASSERT_TRUE(runner.run(stop).ok());
  EXPECT_EQ(store_->counts()->facts, 0);
  EXPECT_EQ(*store_->load_offset((*source)->name()), 0);
}

}  // namespace
}  // namespace wf::pipeline
