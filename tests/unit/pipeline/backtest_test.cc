// Backtest: a candidate pack replayed against a baseline pack or stored decisions.
#include "pipeline/backtest.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <string>

#include "codec/csv_mapping.h"
#include "codec/event_decoder.h"
#include "codec/paysim.h"
#include "core/time.h"
#include "gen/paysim.h"
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

// --- PaySim and CSV rows ----------------------------------------------------------------

const Instant kPaysimStart = *parse_rfc3339("2026-01-01T00:00:00Z");

std::string major_units(int64_t minor) {
  const int64_t a = minor < 0 ? -minor : minor;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", minor < 0 ? "-" : "",
                static_cast<long long>(a / 100), static_cast<long long>(a % 100));
  return buf;
}

// The event a PaySim row decodes to, as a JSON line with the same id.
std::string paysim_tx_as_json(const domain::Transaction& tx) {
  std::string j = "{\"transaction_id\":\"" + std::string(tx.transaction_id) +
                  "\",\"event_timestamp\":\"" + format_utc(tx.event_ts) + "\",\"user_id\":\"" +
                  std::string(tx.user_id) + "\",\"transaction_type\":\"" +
                  std::string(domain::tx_type_name(tx.type)) + "\",\"amount\":\"" +
                  major_units(tx.amount.minor) + "\",\"currency\":\"USD\"";
  if (!tx.merchant_id.empty()) j += ",\"merchant_id\":\"" + std::string(tx.merchant_id) + "\"";
  if (!tx.counterparty_id.empty()) {
    j += ",\"counterparty_id\":\"" + std::string(tx.counterparty_id) + "\"";
  }
  j += ",\"orig_balance_before\":\"" + major_units(tx.orig_balance_before) +
       "\",\"orig_balance_after\":\"" + major_units(tx.orig_balance_after) +
       "\",\"dest_balance_before\":\"" + major_units(tx.dest_balance_before) +
       "\",\"dest_balance_after\":\"" + major_units(tx.dest_balance_after) + "\"}\n";
  return j;
}

std::string paysim_candidate_text() {
  std::string text(rules::RulePack::builtin_text("paysim"));
  const std::string from = "amount > USD 200000\"";
  text.replace(text.find(from), from.size(), "amount > USD 100000\"");
  return text;
}

void expect_same_report(const BacktestReport& a, const BacktestReport& b) {
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.skipped, b.skipped);
  EXPECT_EQ(a.candidate_alerts, b.candidate_alerts);
  EXPECT_EQ(a.baseline_alerts, b.baseline_alerts);
  EXPECT_EQ(a.alerts_added, b.alerts_added);
  EXPECT_EQ(a.alerts_removed, b.alerts_removed);
  EXPECT_EQ(a.decisions_changed, b.decisions_changed);
  EXPECT_EQ(a.labelled, b.labelled);
  for (auto [x, y] : {std::pair{a.candidate, b.candidate}, std::pair{a.baseline, b.baseline}}) {
    EXPECT_EQ(x.tp, y.tp);
    EXPECT_EQ(x.fp, y.fp);
    EXPECT_EQ(x.fn, y.fn);
  }
  ASSERT_EQ(a.rules.size(), b.rules.size());
  for (const auto& [id, t] : a.rules) {
    EXPECT_EQ(t.candidate_hits, b.rules.at(id).candidate_hits) << id;
    EXPECT_EQ(t.baseline_hits, b.rules.at(id).baseline_hits) << id;
    EXPECT_EQ(t.candidate_hits_fraud, b.rules.at(id).candidate_hits_fraud) << id;
  }
  ASSERT_EQ(a.biggest_changes.size(), b.biggest_changes.size());
  for (size_t i = 0; i < a.biggest_changes.size(); ++i) {
    EXPECT_EQ(a.biggest_changes[i].transaction_id, b.biggest_changes[i].transaction_id);
    EXPECT_EQ(a.biggest_changes[i].candidate_reasons, b.biggest_changes[i].candidate_reasons);
    EXPECT_EQ(a.biggest_changes[i].baseline_reasons, b.biggest_changes[i].baseline_reasons);
  }
}

ReplayFormat paysim_format(codec::PaysimDecoder* decoder, bool row_labels = true) {
  ReplayFormat f;
  f.rows = decoder;
  f.is_header = [](std::string_view line) { return codec::PaysimDecoder::is_header(line); };
  f.row_labels = row_labels;
  return f;
}

TEST(Backtest, PaysimRowsDecideAsTheSameEventsInJson) {
  gen::PaysimOptions o;
  o.count = 20'000;
  o.accounts = 2'000;
  o.seed = 5;
  o.fraud_rate = 0.01;
  gen::PaysimGenerator g(o);
  std::string rows;
  gen::Label label;
  int flagged = 0;
  while (g.next(&rows, &label, &flagged)) {
  }
  // The JSON events of the same rows, labelled by the rows' isFraud through a label index.
  codec::PaysimDecoder decoder(kPaysimStart, *Currency::from_code("USD"));
  std::string json;
  LabelIndex labels;
  for (size_t at = 0; at < rows.size();) {
    const size_t nl = rows.find('\n', at);
    domain::Transaction tx;
    codec::RowTruth truth;
    ASSERT_TRUE(decoder.decode(std::string_view(rows).substr(at, nl - at), &tx, &truth).ok());
    json += paysim_tx_as_json(tx);
    labels.add(tx.transaction_id, truth.is_fraud);
    at = nl + 1;
  }
  wf::testing::TempDir dir;
  const std::string csv_path = dir.file("paysim.csv");
  const std::string json_path = dir.file("paysim.jsonl");
  // The header first, then the rows, a blank line and one row of an unknown type.
  std::ofstream(csv_path) << codec::kPaysimHeader << "\r\n"
                          << rows << "\n1,BRIBE,10.00,C1,10.0,0.0,M2,0.0,0.0,0,0\n";
  std::ofstream(json_path) << json;
  auto candidate = rules::RulePack::parse(paysim_candidate_text(), "candidate");
  ASSERT_TRUE(candidate.ok()) << candidate.error().message;
  auto baseline = rules::RulePack::builtin("paysim");

  Backtest from_rows(*candidate, &*baseline);
  auto row_counts =
      from_rows.replay_file(csv_path, codec::kDefaultMaxEventBytes, paysim_format(&decoder));
  ASSERT_TRUE(row_counts.ok()) << row_counts.error().message;
  Backtest from_json(*candidate, &*baseline);
  from_json.set_labels(labels);
  auto json_counts = from_json.replay_file(json_path, codec::kDefaultMaxEventBytes);
  ASSERT_TRUE(json_counts.ok()) << json_counts.error().message;

  EXPECT_EQ(row_counts->records, o.count + 1);  // the header is not a record...
  EXPECT_EQ(row_counts->dead_letters, 1);       // ...nor a dead letter; the bad row is
  EXPECT_EQ(row_counts->duplicates, 0);
  EXPECT_EQ(json_counts->dead_letters, 0);
  BacktestReport a = from_rows.report();
  BacktestReport b = from_json.report();
  EXPECT_EQ(a.events, o.count);
  EXPECT_EQ(a.labelled, o.count);  // every row says whether it is fraud
  EXPECT_GT(a.candidate.tp, 0);
  EXPECT_GT(a.decisions_changed, 0);  // P005 at USD 100,000 instead of 200,000
  EXPECT_EQ(a.biggest_changes.size(), 10u);
  expect_same_report(a, b);
}

// A PaySim file small enough to score by hand with the paysim pack (FLAG from score 60):
//   A: a transfer of the whole balance (P001 80), fraud      -> FLAG, tp
//   B: a cash-out of the whole balance (P001 80), not fraud  -> FLAG, fp
//   C: an ordinary payment, fraud                            -> no alert, fn
//   D: an ordinary payment, not fraud                        -> no alert, tn
// and two bad rows (an unknown type, a missing field) and a blank line.
constexpr const char* kPaysimRows[] = {
    "1,TRANSFER,1000.00,C1,1000.00,0.00,C2,0.00,1000.00,1,0",
    "1,CASH_OUT,500.00,C3,500.00,0.00,C4,50.00,550.00,0,0",
    "2,PAYMENT,10.00,C5,100.00,90.00,M6,0.00,0.00,1,0",
    "2,PAYMENT,20.00,C7,100.00,80.00,M8,0.00,0.00,0,0",
};

std::string small_paysim_file(const wf::testing::TempDir& dir) {
  const std::string path = dir.file("small.csv");
  std::ofstream out(path);
  out << codec::kPaysimHeader << "\n"
      << kPaysimRows[0] << "\n"
      << kPaysimRows[1] << "\n"
      << "3,BRIBE,10.00,C9,10.00,0.00,M2,0.00,0.00,0,0\n"
      << "\n"
      << kPaysimRows[2] << "\n"
      << "3,PAYMENT,10.00,C9,10.00,0.00,M2,0.00,0.00,0\n"
      << kPaysimRows[3];  // no newline at the end
  return path;
}

TEST(Backtest, PaysimRowsBringTheirOwnLabels) {
  wf::testing::TempDir dir;
  const std::string path = small_paysim_file(dir);
  auto pack = rules::RulePack::builtin("paysim");
  codec::PaysimDecoder decoder(kPaysimStart, pack->base_currency());
  Backtest backtest(*pack, &*pack);
  auto counts = backtest.replay_file(path, codec::kDefaultMaxEventBytes, paysim_format(&decoder));
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->records, 6);  // not the header, not the blank line
  EXPECT_EQ(counts->dead_letters, 2);
  BacktestReport r = backtest.report();
  EXPECT_EQ(r.events, 4);
  EXPECT_EQ(r.labelled, 4);
  EXPECT_EQ(r.candidate_alerts, 2);
  EXPECT_EQ(r.candidate.tp, 1);
  EXPECT_EQ(r.candidate.fp, 1);
  EXPECT_EQ(r.candidate.fn, 1);
  EXPECT_EQ(r.baseline.tp, 1);
  EXPECT_EQ(r.rules.at("P001").candidate_hits, 2);
  EXPECT_EQ(r.rules.at("P001").candidate_hits_fraud, 1);
  EXPECT_EQ(r.decisions_changed, 0);
}

TEST(Backtest, ALabelsIndexTakesThePlaceOfTheRowsLabels) {
  wf::testing::TempDir dir;
  const std::string path = small_paysim_file(dir);
  auto pack = rules::RulePack::builtin("paysim");
  codec::PaysimDecoder decoder(kPaysimStart, pack->base_currency());
  // Labels from elsewhere: B is fraud after all, D too; A and C are not labelled.
  LabelIndex labels;
  labels.add(codec::paysim_id(kPaysimRows[1]), true);
  labels.add(codec::paysim_id(kPaysimRows[3]), true);
  Backtest backtest(*pack, &*pack);
  backtest.set_labels(labels);
  auto counts = backtest.replay_file(path, codec::kDefaultMaxEventBytes,
                                     paysim_format(&decoder, /*row_labels=*/false));
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  BacktestReport r = backtest.report();
  EXPECT_EQ(r.labelled, 2);
  EXPECT_EQ(r.candidate.tp, 1);  // B
  EXPECT_EQ(r.candidate.fp, 0);
  EXPECT_EQ(r.candidate.fn, 1);  // D
}

// Flags what happens in Makati; the reason shows the city and the device as decoded.
Result<rules::RulePack> makati_pack() {
  return rules::RulePack::parse(R"(
[pack]
name = "makati"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "60s"

[[rule]]
id = "C001"
name = "makati"
score = 70
when = "city == 'Makati, Metro Manila'"
reason = "{city} on {device_id}"
)",
                                "candidate");
}

TEST(Backtest, CsvRowsThroughAMapping) {
  // No id column (ids are hashes of the rows) and quoted fields that hold the delimiter:
  // both live in the decoder's own buffers, which the next row overwrites.
  auto mapping = codec::CsvMapping::parse(R"(
[columns]
event_timestamp = "t"
user_id = "who"
amount = "amt"
city = "city"
device_id = "dev"
[time]
format = "epoch_s"
[amount]
currency = "PHP"
[types]
default = "payment"
[labels]
column = "cb"
fraud_values = ["Y"]
)",
                                          "mapping");
  ASSERT_TRUE(mapping.ok()) << mapping.error().message;
  auto candidate = makati_pack();
  ASSERT_TRUE(candidate.ok()) << candidate.error().message;
  auto baseline = rules::RulePack::builtin("ph-ewallet");
  const std::string header = "t,who,amt,city,dev,cb";
  // Row i: Makati when i is even, fraud when i is a multiple of 3.
  constexpr int kRows = 3000;
  const Instant t0 = *parse_rfc3339("2026-11-25T02:00:00Z");
  std::string text = header + "\n";
  for (int i = 0; i < kRows; ++i) {
    text += std::to_string(t0 / kMicrosPerSecond + i * 60) + ",\"U" + std::to_string(i % 400) +
            "\"," + std::to_string(100 + i % 50) + ".50," +
            (i % 2 == 0 ? "\"Makati, Metro Manila\"" : "\"Cebu City, Cebu\"") + ",\"D-" +
            std::to_string(i) + "\"," + (i % 3 == 0 ? "Y" : "N") + "\n";
    if (i == 1000) text += "1764036000,U1,ten,Cebu,D-x,N\n";  // a bad amount
  }
  wf::testing::TempDir dir;
  const std::string path = dir.file("history.csv");
  std::ofstream(path) << text;

  auto decoder = codec::CsvDecoder::create(*mapping, header);
  ASSERT_TRUE(decoder.ok()) << decoder.error().message;
  ReplayFormat format;
  format.rows = decoder->get();
  format.is_header = [d = decoder->get()](std::string_view line) { return d->is_header(line); };
  format.row_labels = true;
  Backtest threaded(*candidate, &*baseline, 20);
  auto counts = threaded.replay_file(path, codec::kDefaultMaxEventBytes, format);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->records, kRows + 1);
  EXPECT_EQ(counts->dead_letters, 1);

  // The same rows decoded and replayed one by one, labelled through an index.
  auto serial_decoder = codec::CsvDecoder::create(*mapping, header);
  Backtest serial(*candidate, &*baseline, 20);
  for (bool replay : {false, true}) {
    LabelIndex labels;
    for (size_t at = header.size() + 1; at < text.size();) {
      const size_t nl = text.find('\n', at);
      domain::Transaction tx;
      codec::RowTruth truth;
      const std::string_view row = std::string_view(text).substr(at, nl - at);
      at = nl + 1;
      if (!(*serial_decoder)->decode(row, &tx, &truth).ok()) continue;
      if (replay) {
        serial.replay(tx, nullptr);
      } else {
        labels.add(tx.transaction_id, truth.is_fraud);
      }
    }
    if (!replay) serial.set_labels(std::move(labels));
  }

  BacktestReport a = threaded.report();
  EXPECT_EQ(a.events, kRows);
  EXPECT_EQ(a.labelled, kRows);
  // Flagged: the even rows; fraud: multiples of 3.
  EXPECT_EQ(a.candidate_alerts, kRows / 2);
  EXPECT_EQ(a.candidate.tp, kRows / 6);
  EXPECT_EQ(a.candidate.fp, kRows / 2 - kRows / 6);
  EXPECT_EQ(a.candidate.fn, kRows / 3 - kRows / 6);
  ASSERT_EQ(a.biggest_changes.size(), 20u);
  EXPECT_EQ(a.biggest_changes[0].candidate_reasons.rfind("C001: Makati, Metro Manila on D-", 0),
            0u);
  EXPECT_EQ(a.biggest_changes[0].transaction_id.rfind("csv-", 0), 0u);
  expect_same_report(a, serial.report());
}

TEST(Backtest, EscapedJsonStringsAreScoredAsDecoded) {
  // The decoder unescapes strings with escapes into its own buffer, which the next record
  // reuses; the batch is scored after all of it is decoded.
  auto candidate = makati_pack();
  ASSERT_TRUE(candidate.ok()) << candidate.error().message;
  auto baseline = rules::RulePack::builtin("ph-ewallet");
  constexpr int kEvents = 1000;
  std::string text;
  for (int i = 0; i < kEvents; ++i) {
    text += R"({"transaction_id":"t)" + std::to_string(i) +
            R"(","event_timestamp":"2026-11-25T10:00:00Z","user_id":"U)" + std::to_string(i) +
            R"(","transaction_type":"payment","amount":"10.00","currency":"PHP","city":")" +
            (i % 2 == 0 ? R"(Makati\u002c Metro Manila)" : R"(Cebu \"City\")") +
            R"(","device_id":"D\/)" + std::to_string(i) + "\"}\n";
  }
  wf::testing::TempDir dir;
  const std::string path = dir.file("escaped.jsonl");
  std::ofstream(path) << text;
  Backtest threaded(*candidate, &*baseline, 20);
  auto counts = threaded.replay_file(path, codec::kDefaultMaxEventBytes);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->dead_letters, 0);

  Backtest serial(*candidate, &*baseline, 20);
  codec::EventDecoder decoder;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    std::string padded = text.substr(at, nl - at) + std::string(codec::kDecodePadding, ' ');
    domain::Transaction tx;
    ASSERT_TRUE(decoder.decode(std::string_view(padded).substr(0, nl - at), &tx).ok());
    serial.replay(tx, nullptr);
    at = nl + 1;
  }
  BacktestReport a = threaded.report();
  EXPECT_EQ(a.candidate_alerts, kEvents / 2);
  ASSERT_EQ(a.biggest_changes.size(), 20u);
  EXPECT_EQ(a.biggest_changes[0].candidate_reasons.rfind("C001: Makati, Metro Manila on D/", 0),
            0u);
  expect_same_report(a, serial.report());
}

}  // namespace
}  // namespace wf::pipeline
