// Backtest: a candidate pack replayed against a baseline pack or stored decisions.
#include "pipeline/backtest.h"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <string>

#include "codec/event_decoder.h"
#include "core/time.h"
#include "gen/ph_ewallet.h"
#include "pipeline/processor.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

std::string looser_pack_text() {
  std::string text(rules::RulePack::builtin_text("ph-ewallet"));
  const std::string from = "when = \"tx_5m > 10\"";
  text.replace(text.find(from), from.size(), "when = \"tx_5m > 3\"");
  return text;
}

// A generated day of ph-ewallet traffic (with malformed lines and late events).
struct Stream {
  gen::Dimensions dims;
  std::string text;
  std::vector<gen::Label> labels;
};

Stream make_stream(int64_t events) {
  gen::SeedOptions so;
  so.users = 300;
  so.merchants = 50;
  so.seed = 3;
  so.now = *parse_rfc3339("2026-11-01T00:00:00Z");
  Stream s;
  s.dims = gen::seed_dimensions(so);
  gen::StreamOptions o;
  o.seed = 9;
  o.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  o.bad_rate = 0.01;
  o.max_disorder_us = 30 * kMicrosPerSecond;
  o.tx_per_user_per_day = 400;
  gen::StreamGenerator g(s.dims, o);
  for (int64_t i = 0; i < events; ++i) {
    gen::Label label;
    if (g.next(&s.text, &label)) s.labels.push_back(label);
  }
  return s;
}

TEST(LabelIndex, FindsWhatWasAdded) {
  LabelIndex labels;
  EXPECT_EQ(labels.find("t1"), -1);
  for (int i = 0; i < 5000; ++i) labels.add("tx-" + std::to_string(i), i % 3 == 0);
  labels.add("tx-1", true);  // relabelled
  EXPECT_EQ(labels.size(), 5000u);
  EXPECT_EQ(labels.find("tx-0"), 1);
  EXPECT_EQ(labels.find("tx-1"), 1);
  EXPECT_EQ(labels.find("tx-2"), 0);
  EXPECT_EQ(labels.find("tx-4998"), 1);
  EXPECT_EQ(labels.find("tx-4999"), 0);
  EXPECT_EQ(labels.find("tx-5000"), -1);
}

TEST(Backtest, FileReplayOnTwoThreadsEqualsOneByOne) {
  Stream s = make_stream(20000);
  wf::testing::TempDir dir;
  const std::string path = (dir.path() / "events.jsonl").string();
  std::ofstream(path) << s.text;
  auto candidate = rules::RulePack::parse(looser_pack_text(), "candidate");
  ASSERT_TRUE(candidate.ok()) << candidate.error().message;
  auto baseline = rules::RulePack::builtin("ph-ewallet");
  LabelIndex labels;
  for (const gen::Label& l : s.labels) labels.add(l.transaction_id, l.is_fraud);

  Backtest threaded(*candidate, &*baseline);
  threaded.load_users(s.dims.users);
  threaded.set_labels(labels);
  auto counts = threaded.replay_file(path, codec::kDefaultMaxEventBytes);
  ASSERT_TRUE(counts.ok()) << counts.error().message;

  Backtest serial(*candidate, &*baseline);
  serial.load_users(s.dims.users);
  serial.set_labels(labels);
  codec::EventDecoder decoder;
  RecentIds seen(baseline->horizon_us());
  int64_t dead = 0;
  size_t pos = 0;
  std::string padded;
  while (pos < s.text.size()) {
    size_t nl = s.text.find('\n', pos);
    padded = s.text.substr(pos, nl - pos) + std::string(codec::kDecodePadding, ' ');
    pos = nl + 1;
    domain::Transaction tx;
    if (!decoder.decode(std::string_view(padded.data(), padded.size() - 64), &tx).ok()) {
      ++dead;
      continue;
    }
    if (!seen.seen_or_add(tx.transaction_id, tx.event_ts)) serial.replay(tx, nullptr);
  }

  BacktestReport a = threaded.report();
  BacktestReport b = serial.report();
  EXPECT_EQ(counts->dead_letters, dead);
  EXPECT_GT(dead, 0);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.events + counts->dead_letters + counts->duplicates, counts->records);
  EXPECT_GT(a.alerts_added, 0);    // a lower velocity threshold adds alerts...
  EXPECT_EQ(a.alerts_removed, 0);  // ...and removes none
  EXPECT_EQ(a.alerts_added, b.alerts_added);
  EXPECT_EQ(a.decisions_changed, b.decisions_changed);
  EXPECT_EQ(a.candidate_alerts, b.candidate_alerts);
  EXPECT_EQ(a.baseline_alerts, b.baseline_alerts);
  EXPECT_EQ(a.candidate.tp, b.candidate.tp);
  EXPECT_EQ(a.baseline.fp, b.baseline.fp);
  EXPECT_GT(a.labelled, 0);
  ASSERT_EQ(a.rules.size(), b.rules.size());
  for (const auto& [id, t] : a.rules) {
    EXPECT_EQ(t.candidate_hits, b.rules.at(id).candidate_hits) << id;
    EXPECT_EQ(t.baseline_hits, b.rules.at(id).baseline_hits) << id;
  }
  EXPECT_GT(a.rules.at("R002").candidate_hits, a.rules.at("R002").baseline_hits);
  ASSERT_EQ(a.biggest_changes.size(), 10u);
  for (size_t i = 0; i < a.biggest_changes.size(); ++i) {
    EXPECT_EQ(a.biggest_changes[i].transaction_id, b.biggest_changes[i].transaction_id);
    EXPECT_NE(a.biggest_changes[i].candidate_reasons.find("R002: "), std::string::npos);
  }
}

TEST(Backtest, ReproducesTheDecisionsAProcessorMade) {
  Stream s = make_stream(5000);
  auto pack = rules::RulePack::builtin("ph-ewallet");
  auto pii = PiiProtector::from_key("test-key-0123456789");
  ManualClock clock(*parse_rfc3339("2026-11-02T00:00:00Z"));
  Processor processor(*pack, *pii, clock);
  processor.load_users(s.dims.users);
  store::Batch batch;
  Arena arena;
  std::deque<std::string> lines;
  size_t pos = 0;
  int64_t offset = 0;
  while (pos < s.text.size()) {
    size_t nl = s.text.find('\n', pos);
    lines.push_back(s.text.substr(pos, nl - pos) + std::string(stream::kRecordPadding, ' '));
    stream::Record r{std::string_view(lines.back().data(), nl - pos), offset++, false};
    processor.process(r, &batch, &arena);
    pos = nl + 1;
  }
  ASSERT_GT(processor.counters().flagged, 0);

  Backtest backtest(*pack, nullptr);
  backtest.load_users(s.dims.users);
  for (const store::FactRow& f : batch.facts) {
    domain::Transaction tx;
    tx.transaction_id = f.transaction_id;
    tx.user_id = f.user_id;
    tx.event_ts = f.event_ts;
    tx.amount = Money{f.amount_minor, *Currency::from_code(f.currency)};
    tx.country = f.country;
    tx.city = f.city;
    tx.has_location = f.has_location;
    tx.lat = f.lat;
    tx.lon = f.lon;
    BaselineDecision stored{f.fraud_score, f.verdict, f.rules_fired, f.reasons};
    backtest.replay(tx, &stored);
  }
  BacktestReport r = backtest.report();
  EXPECT_EQ(r.events, static_cast<int64_t>(batch.facts.size()));
  EXPECT_EQ(r.decisions_changed, 0);
  EXPECT_EQ(r.candidate_alerts, processor.counters().flagged);
  EXPECT_TRUE(r.biggest_changes.empty());
}

TEST(Backtest, WarmUpGivesTheWindowsTheirHistory) {
  auto pack = rules::RulePack::builtin("ph-ewallet");
  Instant t0 = *parse_rfc3339("2026-11-25T12:00:00+08:00");
  auto tx_at = [&](int i, std::string* id) {
    *id = "t" + std::to_string(i);
    domain::Transaction tx;
    tx.transaction_id = *id;
    tx.user_id = "U1";
    tx.event_ts = t0 + i * kMicrosPerSecond;
    tx.amount = Money{10000, Currency::php()};
    return tx;
  };
  std::string ids[12];
  Backtest warmed(*pack, nullptr);
  Backtest cold(*pack, nullptr);
  for (int i = 0; i < 10; ++i) {
    domain::Transaction tx = tx_at(i, &ids[i]);
    warmed.warm(tx);
  }
  // The eleventh in five minutes: R002 fires only where the ten before were seen.
  BaselineDecision stored{75, domain::Verdict::kFlag, "R002", ""};
  domain::Transaction a = tx_at(10, &ids[10]);
  domain::Transaction b = a;
  warmed.replay(a, &stored);
  cold.replay(b, &stored);
  EXPECT_EQ(warmed.report().decisions_changed, 0);
  EXPECT_EQ(warmed.report().warmup_events, 10);
  EXPECT_EQ(cold.report().decisions_changed, 1);
  EXPECT_EQ(cold.report().alerts_removed, 1);
  EXPECT_EQ(cold.report().removed_by_rule.at("R002"), 1);
}

}  // namespace
}  // namespace wf::pipeline
