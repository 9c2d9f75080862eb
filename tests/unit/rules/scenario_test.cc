// Runs every rule scenario in tests/testdata/rules/*.txt (format in README.md there):
// each file starts from an empty UserStateTable and scores its events in file order
// with the built-in ph-ewallet pack, or the pack its `pack` line names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "rules/engine.h"
#include "rules/pack.h"

namespace wf::rules {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarioDir = fs::path(WF_TESTDATA_DIR) / "rules";

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

Instant time_of(const std::string& text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : 0;
}

class Scenario {
 public:
  explicit Scenario(fs::path path) : path_(std::move(path)) {}

  void run() {
    std::ifstream in(path_);
    ASSERT_TRUE(in) << path_;
    auto builtin = RulePack::builtin("ph-ewallet");
    ASSERT_TRUE(builtin.ok()) << builtin.error().message;
    pack_.emplace(std::move(*builtin));
    reset();
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      where_ = path_.filename().string() + ":" + std::to_string(number) + ": " + line;
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::vector<std::string> words = split(line);
      if (words.empty()) continue;
      if (words[0] == "pack") {
        pack_line(words);
      } else if (words[0] == "state") {
        state_line(words);
      } else if (words[0] == "at") {
        event_line(words);
      } else {
        ADD_FAILURE() << where_ << ": unknown directive";
      }
      if (::testing::Test::HasFatalFailure()) return;
      ++lines_;
    }
    EXPECT_GT(events_, 0) << path_ << " has no events";
  }

 private:
  void reset() { engine_.emplace(*pack_); }

  // pack FILE: a pack from tests/testdata/rules/, before any event.
  void pack_line(const std::vector<std::string>& w) {
    ASSERT_EQ(w.size(), 2u) << where_;
    ASSERT_EQ(lines_, 0) << where_ << ": 'pack' must come first";
    auto pack = RulePack::load_file((kScenarioDir / w[1]).string());
    ASSERT_TRUE(pack.ok()) << where_ << ": " << pack.error().message;
    engine_.reset();
    pack_.emplace(std::move(*pack));
    reset();
  }

  // state user N last_activity TIME
  void state_line(const std::vector<std::string>& w) {
    ASSERT_EQ(w.size(), 5u) << where_;
    ASSERT_EQ(w[1], "user") << where_;
    ASSERT_EQ(w[3], "last_activity") << where_;
    uint32_t user = static_cast<uint32_t>(std::stoul(w[2]));
    ASSERT_GE(user, engine_->users()) << where_ << ": state for a user already seen";
    engine_->ensure_user(user, time_of(w[4]));
  }

  // at TIME user N amount DECIMAL CUR [FIELD VALUE]... -> VERDICT SCORE IDS [| REASONS]
  //                                                    -> ERROR CODE
  void event_line(const std::vector<std::string>& all) {
    auto bar = std::find(all.begin(), all.end(), "|");
    std::vector<std::string> w(all.begin(), bar);
    std::string want_reasons;
    for (auto it = bar; it != all.end() && ++it != all.end();) {
      want_reasons += (want_reasons.empty() ? "" : " ") + *it;
    }
    auto arrow = std::find(w.begin(), w.end(), "->");
    ASSERT_NE(arrow, w.end()) << where_ << ": no '->'";
    std::vector<std::string> event(w.begin(), arrow);
    std::vector<std::string> expect(arrow + 1, w.end());
    ASSERT_GE(event.size(), 7u) << where_;
    ASSERT_EQ(event[2], "user") << where_;
    ASSERT_EQ(event[4], "amount") << where_;
    // Views into `event`, which outlives the evaluation below.
    domain::Transaction tx;
    tx.event_ts = time_of(event[1]);
    tx.user_id = event[3];
    Event f;
    f.tx = &tx;
    std::string balances;
    f.user = static_cast<uint32_t>(std::stoul(event[3]));
    f.local_hour = local_hour(tx.event_ts, pack_->utc_offset_minutes());
    f.weekday = local_weekday(tx.event_ts, pack_->utc_offset_minutes());
    for (size_t i = 7; i < event.size(); i += 2) {
      ASSERT_LT(i + 1, event.size()) << where_;
      const std::string& key = event[i];
      const std::string& value = event[i + 1];
      if (key == "country") {
        tx.country = value;
      } else if (key == "loc") {
        tx.has_location = true;
        ASSERT_EQ(std::sscanf(value.c_str(), "%lf,%lf", &tx.lat, &tx.lon), 2) << where_;
        // As the pipeline enriches: `location` only for coordinates on the globe.
        f.has_location = tx.lat >= -90 && tx.lat <= 90 && tx.lon >= -180 && tx.lon <= 180;
      } else if (key == "counterparty") {
        tx.counterparty_id = value;
      } else if (key == "balances") {
        balances = value;
      } else if (key == "city") {
        tx.city = value;
      } else if (key == "product") {
        tx.product_id = value;
      } else if (key == "merchant") {
        tx.merchant_id = value;
      } else if (key == "device") {
        tx.device_id = value;
      } else if (key == "quantity") {
        tx.quantity = std::stoll(value);
      } else if (key == "type") {
        ASSERT_TRUE(domain::parse_tx_type(value, &tx.type)) << where_;
      } else {
        FAIL() << where_ << ": unknown field '" << key << "'";
      }
    }
    ++events_;
    auto currency = Currency::from_code(event[6]);
    ASSERT_TRUE(currency.ok()) << where_;
    auto minor = parse_minor_units(event[5], currency->exponent());
    ASSERT_TRUE(minor.ok()) << where_ << ": " << minor.error().message;
    auto base = pack_->to_base(Money{*minor, *currency});
    if (!expect.empty() && expect[0] == "ERROR") {
      ASSERT_EQ(expect.size(), 2u) << where_;
      ASSERT_FALSE(base.ok()) << where_ << ": converted to " << *base;
      EXPECT_EQ(errc_name(base.error().code), expect[1]) << where_;
      return;
    }
    ASSERT_TRUE(base.ok()) << where_ << ": " << base.error().message;
    f.amount = *base;
    tx.amount = Money{*minor, *currency};
    if (!balances.empty()) {
      // orig before,orig after,dest before,dest after in the event's currency.
      std::istringstream parts(balances);
      int64_t* raw[4] = {&tx.orig_balance_before, &tx.orig_balance_after, &tx.dest_balance_before,
                         &tx.dest_balance_after};
      std::string part;
      for (int k = 0; k < 4; ++k) {
        ASSERT_TRUE(std::getline(parts, part, ',')) << where_ << ": want four balances";
        auto v = parse_minor_units(part, currency->exponent());
        ASSERT_TRUE(v.ok()) << where_;
        *raw[k] = *v;
        auto b = pack_->to_base(Money{*v, *currency});
        ASSERT_TRUE(b.ok()) << where_;
        f.balances[k] = *b;
      }
      tx.has_balances = true;
    }

    if (f.user >= engine_->users()) engine_->ensure_user(f.user, 0);
    std::string reasons = "-";
    domain::Decision d = engine_->evaluate(f, &reasons);
    ASSERT_EQ(expect.size(), 3u) << where_ << ": want '-> VERDICT SCORE IDS'";
    std::string ids = d.rules_fired ? pack_->fired_ids(d.rules_fired) : "-";
    std::string got =
        std::string(domain::verdict_name(d.verdict)) + " " + std::to_string(d.score) + " " + ids;
    EXPECT_EQ(got, expect[0] + " " + expect[1] + " " + expect[2]) << where_;
    if (!want_reasons.empty()) {
      EXPECT_EQ(reasons, want_reasons) << where_;
    }
    check_top_rule(d);
  }

  // top_rule is the first fired rule with the decision's score.
  void check_top_rule(const domain::Decision& d) {
    int want = -1;
    const auto& rules = pack_->rules();
    for (size_t i = 0; i < rules.size(); ++i) {
      if (((d.rules_fired >> i) & 1) && (want < 0 || rules[i].score > rules[want].score)) {
        want = static_cast<int>(i);
      }
    }
    EXPECT_EQ(d.top_rule, want) << where_;
  }

  fs::path path_;
  std::string where_;
  int lines_ = 0;
  int events_ = 0;
  std::optional<RulePack> pack_;
  std::optional<Engine> engine_;
};

std::vector<fs::path> scenario_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kScenarioDir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class RuleScenario : public ::testing::TestWithParam<fs::path> {};

TEST_P(RuleScenario, ScoresAsWritten) { Scenario(GetParam()).run(); }

INSTANTIATE_TEST_SUITE_P(Files, RuleScenario, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace wf::rules
