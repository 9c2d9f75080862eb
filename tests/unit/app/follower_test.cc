#include "app/follower.h"

#include <gtest/gtest.h>

#include <deque>

#include "store/store.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::app {
namespace {

std::string event(int i, const std::string& user) {
  // One payment every ten seconds from 12:00:00 (+08:00): the 11th within five minutes
  // fires the velocity rule R002.
  const std::string ts =
      "2026-11-25T12:0" + std::to_string(i / 6) + ":" + std::to_string(i % 6) + "0+08:00";
  return R"({"transaction_id":"f)" + std::to_string(i) + user + R"(","event_timestamp":")" + ts +
         R"(","user_id":")" + user +
         R"(","transaction_type":"payment","amount":"120.00","currency":"PHP","country":"PH",)" +
         R"("lat":14.55,"lon":121.02,"phone_number":"+639171234567","ip_address":"203.177.12.9"})";
}

class FollowerTest : public ::testing::TestWithParam<std::string> {
 protected:
  FollowerTest()
      : pack_(*rules::RulePack::builtin("ph-ewallet")),
        pii_(*pipeline::PiiProtector::from_key("test-key-0123456789")),
        uri_(wf::testing::fresh_store_uri(GetParam(), dir_)) {
    auto s = store::open_store(uri_);
    EXPECT_TRUE(s.ok());
    store_ = std::move(*s);
  }

  // The stream (another process, as far as the follower knows): events i in [from, to)
  // of user U7 processed and committed.
  void stream(int from, int to) {
    store::Batch batch;
    batch.source = "test";
    for (int i = from; i < to; ++i) {
      lines_.push_back(event(i, "U7") + std::string(stream::kRecordPadding, ' '));
      stream::Record r{
          std::string_view(lines_.back().data(), lines_.back().size() - stream::kRecordPadding), i,
          false};
      stream_.process(r, &batch, &arena_);
    }
    batch.end_offset = to;
    ASSERT_TRUE(store_->commit(batch).ok());
  }

  std::vector<api::HubEvent> events() { return hub_.after(0, 0, 1000); }

  rules::RulePack pack_;
  pipeline::PiiProtector pii_;
  ManualClock clock_{*parse_rfc3339("2026-11-25T04:10:00Z")};
  wf::testing::TempDir dir_;
  std::string uri_;
  std::unique_ptr<store::Store> store_;
  pipeline::Processor stream_{pack_, pii_, clock_};
  Arena arena_;
  std::deque<std::string> lines_;
  api::EventHub hub_;
};

TEST_P(FollowerTest, FollowsCommitsIntoTheStateAndTheStream) {
  stream(0, 4);  // before the follower starts: restored
  pipeline::Processor mirror(pack_, pii_, clock_);
  std::mutex mu;
  Follower follower(uri_, mirror, mu, hub_);
  ASSERT_TRUE(follower.restore(*store_).ok());
  EXPECT_TRUE(follower.ready());
  EXPECT_TRUE(events().empty());  // restored history is state, not news

  stream(4, 10);  // ten payments in the state now
  ASSERT_TRUE(follower.poll(*store_).ok());
  EXPECT_EQ(follower.folded(), 6);
  auto news = events();
  ASSERT_EQ(news.size(), 6u);
  EXPECT_EQ(news[0].type, "decision");
  EXPECT_NE(news[0].json.find("\"transaction_id\":\"f4U7\""), std::string::npos) << news[0].json;

  // The 11th payment asked about before it is authorised: the follower's state decides
  // as the stream's does (R002, eleven in five minutes).
  const std::string eleventh = event(10, "U7");
  auto here = mirror.score(eleventh);
  auto there = stream_.score(eleventh);
  ASSERT_TRUE(here.ok() && there.ok());
  EXPECT_EQ(here->rules_fired, "R002");
  EXPECT_EQ(here->rules_fired, there->rules_fired);
  EXPECT_EQ(here->decision.score, there->decision.score);

  // Nothing new: nothing folded or published twice.
  ASSERT_TRUE(follower.poll(*store_).ok());
  EXPECT_EQ(follower.folded(), 6);
  EXPECT_EQ(events().size(), 6u);

  // The stream flags the 11th: its alert reaches the stream with the rule's name.
  stream(10, 11);
  ASSERT_TRUE(follower.poll(*store_).ok());
  news = events();
  ASSERT_EQ(news.size(), 8u);  // a decision and an alert
  EXPECT_EQ(news[7].type, "alert");
  EXPECT_NE(news[7].json.find("\"alert_type\":\"R002 "), std::string::npos) << news[7].json;

  // A second follower started now restores all eleven and scores the 12th the same.
  pipeline::Processor late(pack_, pii_, clock_);
  api::EventHub hub2;
  Follower follower2(uri_, late, mu, hub2);
  ASSERT_TRUE(follower2.restore(*store_).ok());
  const std::string twelfth = event(11, "U7");
  auto a = late.score(twelfth);
  auto b = stream_.score(twelfth);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->rules_fired, b->rules_fired);
  EXPECT_EQ(a->decision.score, b->decision.score);
}

TEST_P(FollowerTest, TheThreadRestoresThenFollows) {
  stream(0, 3);
  pipeline::Processor mirror(pack_, pii_, clock_);
  std::mutex mu;
  Follower follower(uri_, mirror, mu, hub_, /*poll_us=*/10'000);
  follower.start();
  for (int i = 0; i < 500 && !follower.ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(follower.ready());
  stream(3, 5);
  for (int i = 0; i < 500 && follower.folded() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(follower.folded(), 2);
  follower.stop();
}

INSTANTIATE_TEST_SUITE_P(Stores, FollowerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace wf::app
