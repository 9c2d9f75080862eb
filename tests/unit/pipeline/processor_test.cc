#include "pipeline/processor.h"

#include <gtest/gtest.h>

#include <deque>

#include "store/store.h"
#include "support/temp_dir.h"

namespace wf::pipeline {
namespace {

std::string event(const std::string& id, const std::string& user, const std::string& ts,
                  const std::string& amount, const std::string& extra = "") {
  return R"({"transaction_id":")" + id + R"(","event_timestamp":")" + ts + R"(","user_id":")" +
         user + R"(","transaction_type":"payment","amount":")" + amount +
         R"(","currency":"PHP","country":"PH","lat":14.55,"lon":121.02,)" +
         R"("phone_number":"+639171234567","ip_address":"203.177.12.9")" + extra + "}";
}

class ProcessorTest : public ::testing::Test {
 protected:
  ProcessorTest()
      : pack_(*rules::RulePack::builtin("ph-ewallet")),
        pii_(*PiiProtector::from_key("test-key-0123456789")) {}

  // Runs `lines` through `p` into one batch.
  store::Batch run(Processor& p, const std::vector<std::string>& lines) {
    store::Batch batch;
    batch.source = "test";
    for (size_t i = 0; i < lines.size(); ++i) {
      buffers_.push_back(lines[i] + std::string(stream::kRecordPadding, ' '));
      stream::Record r{std::string_view(buffers_.back().data(), lines[i].size()),
                       static_cast<int64_t>(i), false};
      p.process(r, &batch, &arena_);
    }
    return batch;
  }

  rules::RulePack pack_;
  PiiProtector pii_;
  ManualClock clock_{*parse_rfc3339("2026-11-25T12:00:00Z")};
  Arena arena_;
  std::deque<std::string> buffers_;
};

TEST_F(ProcessorTest, ScoresAndProtectsAGoodEvent) {
  Processor p(pack_, pii_, clock_);
  auto batch = run(p, {event("t1", "U1", "2026-11-25T01:30:00+08:00", "75000.50")});
  ASSERT_EQ(batch.facts.size(), 1u);
  const store::FactRow& f = batch.facts[0];
  EXPECT_EQ(f.transaction_id, "t1");
  EXPECT_EQ(f.amount_php, 7500050);
  EXPECT_EQ(f.verdict, domain::Verdict::kFlag);
  EXPECT_EQ(f.fraud_score, 85);
  EXPECT_EQ(f.rules_fired, "R001");
  EXPECT_EQ(f.alert_type.substr(0, 4), "R001");
  EXPECT_EQ(f.phone_hash, pii_.hash("639171234567"));
  EXPECT_EQ(f.ip_hash, pii_.hash("203.177.12.9"));
  EXPECT_EQ(p.counters().flagged, 1);
}

TEST_F(ProcessorTest, BadRecordsBecomeRedactedDeadLetters) {
  Processor p(pack_, pii_, clock_);
  auto batch = run(p, {event("t1", "U1", "2026-11-25T10:00:00+08:00", "12.345"), "{not json",
                       event("t2", "U1", "2026-11-25T10:00:01+08:00", "10.00")});
  ASSERT_EQ(batch.dead_letters.size(), 2u);
  EXPECT_EQ(batch.dead_letters[0].code, Errc::kBadAmount);
  EXPECT_EQ(batch.dead_letters[0].source_offset, 0);
  EXPECT_EQ(batch.dead_letters[0].raw.find("9171234567"), std::string_view::npos);
  EXPECT_EQ(batch.dead_letters[1].code, Errc::kMalformedJson);
  ASSERT_EQ(batch.facts.size(), 1u);  // the neighbour is unharmed
  EXPECT_EQ(batch.facts[0].transaction_id, "t2");
  EXPECT_EQ(p.counters().dead_by_code[static_cast<size_t>(Errc::kBadAmount)], 1);
}

TEST_F(ProcessorTest, CurrencyWithoutFxRateIsADeadLetter) {
  Processor p(pack_, pii_, clock_);
  std::string e = event("t1", "U1", "2026-11-25T10:00:00+08:00", "10.00");
  e.replace(e.find("\"PHP\""), 5, "\"NGN\"");
  auto batch = run(p, {e});
  ASSERT_EQ(batch.dead_letters.size(), 1u);
  EXPECT_EQ(batch.dead_letters[0].code, Errc::kUnknownCurrency);
}

TEST_F(ProcessorTest, RestoredStateScoresLikeAnUninterruptedRun) {
  // Eleven payments in four minutes: the 11th fires the velocity rule R002 (> 10 in 5m)
  // only if the first ten are remembered across the restart.
  std::vector<std::string> first, second;
  for (int i = 0; i < 11; ++i) {
    std::string ts = "2026-11-25T10:0" + std::to_string(i / 3) + ":" +
                     std::to_string(10 + (i % 3) * 10) + "+08:00";
    (i < 10 ? first : second).push_back(event("v" + std::to_string(i), "U7", ts, "100.00"));
  }
  Processor straight(pack_, pii_, clock_);
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  auto expected = run(straight, all);
  EXPECT_EQ(expected.facts.back().rules_fired, "R002");

  testing::TempDir dir;
  auto store = store::open_store("sqlite:" + dir.file("s.db"));
  ASSERT_TRUE(store.ok());
  {
    Processor before(pack_, pii_, clock_);
    auto batch = run(before, first);
    ASSERT_TRUE((*store)->commit(batch).ok());
  }
  Processor after(pack_, pii_, clock_);
  ASSERT_TRUE(after.restore_state(**store).ok());
  auto resumed = run(after, second);
  ASSERT_EQ(resumed.facts.size(), 1u);
  EXPECT_EQ(resumed.facts[0].rules_fired, "R002");
  EXPECT_EQ(resumed.facts[0].fraud_score, expected.facts.back().fraud_score);
}

TEST_F(ProcessorTest, RuleHitsCountEveryFiredRuleAcrossReloads) {
  Processor p(pack_, pii_, clock_);
  std::vector<std::string> lines;
  for (int i = 0; i < 11; ++i) {  // the 11th within five minutes fires R002
    lines.push_back(event("h" + std::to_string(i), "U7",
                          "2026-11-25T12:00:" + std::to_string(10 + i) + "+08:00", "120.00"));
  }
  run(p, lines);
  auto hits = [&](const std::string& id) {
    for (const auto& [rule, n] : p.rule_hits()) {
      if (rule == id) return n;
    }
    return int64_t{-1};
  };
  EXPECT_EQ(hits("R002"), 1);
  EXPECT_EQ(hits("R001"), 0);
  EXPECT_EQ(p.rule_hits().size(), pack_.rules().size());
  // A reload keeps what the old pack counted; the 12th fires R002 again.
  p.swap_rules(std::make_shared<const rules::RulePack>(*rules::RulePack::builtin("ph-ewallet")));
  run(p, {event("h11", "U7", "2026-11-25T12:00:30+08:00", "120.00")});
  EXPECT_EQ(hits("R002"), 2);
}

TEST_F(ProcessorTest, ResentTransactionsNeverTouchRuleState) {
  // Six payments, each resent once, then a seventh: counted with the resends the user
  // would have 13 transactions in five minutes and fire R002; without them, 7.
  Processor p(pack_, pii_, clock_);
  std::vector<std::string> lines;
  for (int i = 0; i < 6; ++i) {
    std::string e =
        event("r" + std::to_string(i), "U3",
              "2026-11-25T10:0" + std::to_string(i / 2) + ":1" + std::to_string(i % 2) + "+08:00",
              "100.00");
    lines.push_back(e);
    lines.push_back(e);
  }
  lines.push_back(event("r6", "U3", "2026-11-25T10:04:00+08:00", "100.00"));
  auto batch = run(p, lines);
  ASSERT_EQ(batch.facts.size(), 7u);
  EXPECT_EQ(p.counters().duplicates, 6);
  EXPECT_EQ(batch.facts.back().rules_fired, "");
}

TEST_F(ProcessorTest, FarFutureEventsAreDeadLettersAndCountryCaseIsNormalised) {
  Processor p(pack_, pii_, clock_);  // clock: 2026-11-25T12:00Z
  std::string lower = event("c1", "U5", "2026-11-25T10:00:00+08:00", "35000.50");
  lower.replace(lower.find("\"PH\""), 4, "\"ph\"");
  std::string alpha3 = event("c2", "U5", "2026-11-25T10:01:00+08:00", "10.00");
  alpha3.replace(alpha3.find("\"PH\""), 4, "\"PHL\"");
  auto batch = run(p, {event("f1", "U4", "2026-11-27T12:00:00Z", "10.00"),
                       event("f2", "U4", "2026-11-26T11:00:00Z", "10.00"), lower, alpha3});
  ASSERT_EQ(batch.dead_letters.size(), 2u);
  EXPECT_EQ(batch.dead_letters[0].code, Errc::kBadTimestamp);  // two days ahead
  EXPECT_EQ(batch.dead_letters[1].code, Errc::kBadType);       // "PHL"
  ASSERT_EQ(batch.facts.size(), 2u);                           // 23 h ahead is accepted
  EXPECT_EQ(batch.facts[1].transaction_id, "c1");
  EXPECT_EQ(batch.facts[1].rules_fired, "");  // "ph" is home: no R006
  EXPECT_EQ(batch.facts[1].country, "PH");
}

TEST_F(ProcessorTest, DormancyComesFromTheDimension) {
  Processor p(pack_, pii_, clock_);
  domain::User u;
  u.user_id = "U9";
  u.last_txn_at = *parse_rfc3339("2026-01-01T00:00:00Z");
  p.load_users({u});
  auto batch = run(p, {event("d1", "U9", "2026-11-25T10:00:00+08:00", "25000.50"),
                       event("d2", "U9", "2026-11-25T11:00:00+08:00", "25000.50")});
  EXPECT_EQ(batch.facts[0].rules_fired, "R005");
  EXPECT_EQ(batch.facts[1].rules_fired, "");  // only the first transaction after dormancy
}

// home_location is the stored home (dim_users), missing for users without one.
TEST_F(ProcessorTest, HomeLocationComesFromTheDimension) {
  auto pack = rules::RulePack::parse(R"([pack]
name = "home"
home_country = "PH"
base_currency = "PHP"
utc_offset_minutes = 480
lateness = "0s"
[[rule]]
id = "H1"
name = "far_from_home"
score = 70
when = "distance_km(location, home_location) > 500"
reason = "{round(distance_km(location, home_location))} km from home"
)");
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  Processor p(*pack, pii_, clock_);
  domain::User cebu;
  cebu.user_id = "U1";
  cebu.has_home = true;
  cebu.home_lat = 10.3157;  // Cebu City; the events are in Makati, 564 km away
  cebu.home_lon = 123.8854;
  domain::User makati = cebu;
  makati.user_id = "U2";
  makati.home_lat = 14.5547;
  makati.home_lon = 121.0244;
  domain::User nowhere;
  nowhere.user_id = "U3";
  p.load_users({cebu, makati, nowhere});
  auto batch = run(p, {event("h1", "U1", "2026-11-25T10:00:00+08:00", "100.00"),
                       event("h2", "U2", "2026-11-25T10:00:00+08:00", "100.00"),
                       event("h3", "U3", "2026-11-25T10:00:00+08:00", "100.00"),
                       event("h4", "U4", "2026-11-25T10:00:00+08:00", "100.00")});
  ASSERT_EQ(batch.facts.size(), 4u);
  EXPECT_EQ(batch.facts[0].rules_fired, "H1");
  EXPECT_EQ(batch.facts[0].reasons, "H1: 564 km from home");
  EXPECT_EQ(batch.facts[1].rules_fired, "");
  EXPECT_EQ(batch.facts[2].rules_fired, "");  // no home stored: missing, the rule is silent
  EXPECT_EQ(batch.facts[3].rules_fired, "");  // not in dim_users
}

}  // namespace
}  // namespace wf::pipeline

namespace wf::pipeline {
namespace {

// POST /api/v1/score: the stream's rules and state, and the state left as it was.
TEST_F(ProcessorTest, ScoringBeforeAuthorisationLeavesTheStateAsItWas) {
  Processor p(pack_, pii_, clock_);
  // R002 fires above 10 transactions in 5 minutes: nine are in the state.
  std::vector<std::string> lines;
  for (int i = 0; i < 9; ++i) {
    lines.push_back(event("v" + std::to_string(i), "U7",
                          "2026-11-25T12:00:0" + std::to_string(i) + "+08:00", "120.00"));
  }
  ASSERT_EQ(run(p, lines).facts.size(), 9u);
  const std::string tenth = event("v9", "U7", "2026-11-25T12:00:30+08:00", "120.00");
  for (int again = 0; again < 3; ++again) {  // the tenth, asked about three times
    auto s = p.score(tenth);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->decision.verdict, domain::Verdict::kNormal) << again;
    EXPECT_EQ(s->rules_fired, "");
  }
  // Two more in the stream: the next one scored now fires R002 (11 within 5 minutes).
  ASSERT_EQ(run(p, {tenth, event("v10", "U7", "2026-11-25T12:00:40+08:00", "120.00")}).facts.size(),
            2u);
  auto s = p.score(event("v11", "U7", "2026-11-25T12:00:50+08:00", "120.00"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rules_fired, "R002");
  EXPECT_EQ(s->decision.verdict, domain::Verdict::kFlag);
  EXPECT_NE(s->reasons.find("R002"), std::string::npos);
  EXPECT_EQ(s->ruleset_version, pack_.version());
  EXPECT_EQ(p.counters().facts, 11);  // scoring stored nothing and counted nothing
  auto bad = p.score(R"({"transaction_id":"x","amount":"abc"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::kMissingField);
}

}  // namespace
}  // namespace wf::pipeline
