// Webhooks against a local HTTP receiver: Discord, Slack and plain JSON payloads; retries
// with backoff until the receiver recovers; a hanging receiver never blocks send(); and
// the stream alert conditions, each one message per incident.
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "notify/notifier.h"
#include "notify/stream_alerts.h"

namespace wf::notify {
namespace {

// An HTTP server on a free loopback port, answering POSTs with the status `answer`
// gives for the n-th request (0-based); it keeps every body.
class Receiver {
 public:
  explicit Receiver(std::function<int(int)> answer) : answer_(std::move(answer)) {
    server_.Post(R"(/hook/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      int n = 0;
      {
        std::lock_guard lock(mu_);
        n = static_cast<int>(bodies_.size());
        bodies_.push_back(req.body);
        paths_.push_back(req.path);
        types_.push_back(req.get_header_value("Content-Type"));
      }
      res.status = answer_(n);
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hook/" + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }
  std::string type(size_t i) {
    std::lock_guard lock(mu_);
    return types_.at(i);
  }

 private:
  std::function<int(int)> answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, paths_, types_;
};

// A webhook that hangs: every request is held unanswered until this is destroyed.
class HangingReceiver {
 public:
  HangingReceiver()
      : receiver_([this](int) {
          std::unique_lock lock(mu_);
          cv_.wait_for(lock, std::chrono::seconds(20), [&] { return release_; });
          return 200;
        }) {}
  ~HangingReceiver() {
    {
      std::lock_guard lock(mu_);
      release_ = true;
    }
    cv_.notify_all();
  }  // then receiver_ stops, its handlers released
  std::string url(const std::string& path) const { return receiver_.url(path); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_ = false;
  Receiver receiver_;
};

Message sample() {
  Message m;
  m.event = "job_failed";
  m.severity = Severity::kCritical;
  m.title = "Job gold_marts_daily failed";
  m.text = "marts failed after 3 attempt(s): store unreachable \"quoted\"";
  m.fields = {{"job", "gold_marts_daily"}, {"attempts", "3"}};
  m.at = *parse_rfc3339("2026-11-25T18:00:00Z");
  return m;
}

TEST(Payloads, DiscordSlackAndJsonCarryTheMessage) {
  simdjson::dom::parser parser;
  simdjson::dom::element d = parser.parse(payload(sample(), Format::kDiscord));
  simdjson::dom::element embed = d["embeds"].at(0);
  EXPECT_EQ(std::string_view(embed["title"]), "Job gold_marts_daily failed");
  EXPECT_EQ(int64_t(embed["color"]), 0xE74C3C);
  EXPECT_EQ(std::string_view(embed["fields"].at(0)["name"]), "job");
  EXPECT_EQ(std::string_view(embed["timestamp"]), "2026-11-25T18:00:00.000000Z");
  EXPECT_NE(std::string_view(embed["description"]).find("\"quoted\""), std::string_view::npos);

  simdjson::dom::parser slack_parser;
  simdjson::dom::element s = slack_parser.parse(payload(sample(), Format::kSlack));
  EXPECT_EQ(std::string_view(s["text"]), ":rotating_light: Job gold_marts_daily failed");
  EXPECT_EQ(std::string_view(s["blocks"].at(0)["type"]), "header");
  EXPECT_EQ(std::string_view(s["blocks"].at(2)["fields"].at(1)["text"]), "*attempts*\n3");

  simdjson::dom::parser json_parser;
  simdjson::dom::element j = json_parser.parse(payload(sample(), Format::kJson));
  EXPECT_EQ(std::string_view(j["event"]), "job_failed");
  EXPECT_EQ(std::string_view(j["severity"]), "critical");
  EXPECT_EQ(std::string_view(j["fields"]["attempts"]), "3");
}

TEST(Webhooks, FromTheEnvironmentWithTheirFormats) {
  setenv("WALLETFLOW_WEBHOOKS",
         "https://discord.com/api/webhooks/1/secret, slack:http://127.0.0.1:9/x,"
         "https://hooks.slack.com/services/T/B/secret,http://example.org/in",
         1);
  auto hooks = webhooks_from_env();
  ASSERT_TRUE(hooks.ok()) << hooks.error().message;
  ASSERT_EQ(hooks->size(), 4u);
  EXPECT_EQ((*hooks)[0].format, Format::kDiscord);
  EXPECT_EQ((*hooks)[1].format, Format::kSlack);
  EXPECT_EQ((*hooks)[1].url, "http://127.0.0.1:9/x");
  EXPECT_EQ((*hooks)[2].format, Format::kSlack);
  EXPECT_EQ((*hooks)[3].format, Format::kJson);
  setenv("WALLETFLOW_WEBHOOKS", "ftp://example.org/secret-token", 1);
  auto bad = webhooks_from_env();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("secret-token"), std::string::npos);  // never echoed
  unsetenv("WALLETFLOW_WEBHOOKS");
}

TEST(Notifier, DeliversToEveryHookAndRetriesUntilTheReceiverRecovers) {
  // The first two requests fail (503, 500), then the receiver answers 204.
  Receiver receiver([](int n) { return n == 0 ? 503 : n == 1 ? 500 : 204; });
  Notifier::Options o;
  o.backoff_us = 10'000;
  Notifier n({{receiver.url("discord"), Format::kDiscord}, {receiver.url("slack"), Format::kSlack}},
             o);
  n.send(sample());
  ASSERT_TRUE(n.flush(10 * kMicrosPerSecond));
  Notifier::Stats s = n.stats();
  EXPECT_EQ(s.sent, 2);
  EXPECT_EQ(s.retried, 2);
  EXPECT_EQ(s.failed, 0);
  auto paths = receiver.paths();
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0], "/hook/discord");
  EXPECT_EQ(paths[2], "/hook/discord");  // the third attempt got through
  EXPECT_EQ(paths[3], "/hook/slack");
  EXPECT_EQ(receiver.type(3), "application/json");
  EXPECT_NE(receiver.bodies()[3].find("\"blocks\""), std::string::npos);
}

TEST(Notifier, AHangingWebhookNeverBlocksTheSender) {
  HangingReceiver receiver;
  Notifier::Options o;
  o.timeout_us = 200'000;
  o.attempts = 2;
  o.backoff_us = 10'000;
  o.max_queue = 5;
  {
    Notifier n({{receiver.url("slow"), Format::kJson}}, o);
    // The receiver holds every request; send() only queues, and a full queue drops the
    // oldest rather than waiting.
    for (int i = 0; i < 100; ++i) n.send(sample());
    EXPECT_GE(n.stats().dropped, 90);
    EXPECT_TRUE(n.flush(30 * kMicrosPerSecond));
    Notifier::Stats s = n.stats();
    EXPECT_EQ(s.sent, 0);
    EXPECT_EQ(s.failed + s.dropped, 100);  // every message accounted for
  }
}

TEST(Notifier, MessagesStillUndeliveredAtExitAreCountedOnce) {
  HangingReceiver receiver;
  Notifier::Options o;
  o.timeout_us = 500'000;
  o.attempts = 3;
  o.backoff_us = 10 * kMicrosPerSecond;  // the exit cuts the wait short
  o.drain_us = 100'000;
  ::testing::internal::CaptureStderr();
  const auto start = std::chrono::steady_clock::now();
  {
    Notifier n({{receiver.url("hang"), Format::kJson}}, o);
    for (int i = 0; i < 3; ++i) n.send(sample());
  }
  const auto took = std::chrono::steady_clock::now() - start;
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("notify: 3 message(s) not delivered at exit"), std::string::npos) << err;
  EXPECT_EQ(err.find("gave up delivering"), std::string::npos) << err;
  // The drain, the try in flight, no backoff: well under one backoff of 10 s.
  EXPECT_LT(took, std::chrono::seconds(5));
}

// --- stream alerts ------------------------------------------------------------------

AlertThresholds only_bursts_of(int64_t n) {
  AlertThresholds t;
  t.burst_flagged = n;
  return t;
}

struct Feed {
  explicit Feed(AlertThresholds t = only_bursts_of(1'000'000))
      : alerts(t, [this](Message m) { sent.push_back(std::move(m)); }) {}
  std::vector<Message> sent;
  StreamAlerts alerts;
  Instant now = *parse_rfc3339("2026-11-25T00:00:00Z");
  PipelineTotals p;
  // Advances a second at a time for `seconds`, applying `step` to the totals each second.
  void run(int seconds, const std::function<void(PipelineTotals&)>& step) {
    for (int i = 0; i < seconds; ++i) {
      now += kMicrosPerSecond;
      step(p);
      alerts.observe(now, p);
    }
  }
  std::vector<std::string> events() const {
    std::vector<std::string> out;
    for (const Message& m : sent) out.push_back(m.event);
    return out;
  }
};

// A healthy stream: 100 tx/s read and committed, 1% flagged.
void healthy(PipelineTotals& p) {
  p.records += 100;
  p.committed = p.records;
  p.facts += 100;
  p.flagged += 1;
  p.lag = 10;
}

TEST(StreamAlerts, LagOverTheThresholdForLongEnoughThenResolved) {
  Feed f;
  f.run(60, healthy);
  f.run(100, [](PipelineTotals& p) {
    healthy(p);
    p.lag = 250'000;
  });
  EXPECT_TRUE(f.sent.empty());  // not yet two minutes
  f.run(120, [](PipelineTotals& p) {
    healthy(p);
    p.lag = 300'000;
  });
  EXPECT_EQ(f.events(), (std::vector<std::string>{"consumer_lag"}));
  EXPECT_EQ(f.sent[0].severity, Severity::kWarning);
  f.run(10, healthy);
  EXPECT_EQ(f.events(), (std::vector<std::string>{"consumer_lag", "consumer_lag_resolved"}));
}

TEST(StreamAlerts, StalledWhileRecordsWaitThenResumed) {
  Feed f;
  f.run(30, healthy);
  f.run(300, [](PipelineTotals& p) { p.records += 100; });  // read, never committed
  EXPECT_EQ(f.events(), (std::vector<std::string>{"processing_stalled"}));
  EXPECT_EQ(f.sent[0].severity, Severity::kCritical);
  f.run(5, healthy);
  EXPECT_EQ(f.events(), (std::vector<std::string>{"processing_stalled", "processing_resumed"}));
  // Idle (nothing to read) is not a stall.
  f.run(600, [](PipelineTotals& p) { p.lag = 0; });
  EXPECT_EQ(f.sent.size(), 2u);
}

TEST(StreamAlerts, FraudRateWellAboveTheRecentHours) {
  Feed f;
  f.run(3600, healthy);  // an hour at 1%
  EXPECT_TRUE(f.sent.empty());
  f.run(15 * 60, [](PipelineTotals& p) {  // a wave at 10%
    healthy(p);
    p.flagged += 9;
  });
  ASSERT_EQ(f.events(), (std::vector<std::string>{"fraud_rate_high"}));
  EXPECT_NE(f.sent[0].text.find("against 1.00%"), std::string::npos) << f.sent[0].text;
  f.run(20 * 60, healthy);
  EXPECT_EQ(f.events(), (std::vector<std::string>{"fraud_rate_high", "fraud_rate_normal"}));
}

TEST(StreamAlerts, OneMessagePerBurstOfFlaggedTransactions) {
  Feed start(only_bursts_of(100));
  start.run(120, [](PipelineTotals& p) {  // no baseline yet: a high start is not a burst
    healthy(p);
    p.flagged += 9;
  });
  EXPECT_TRUE(start.sent.empty());
  Feed f(only_bursts_of(100));  // healthy is 60 flagged a minute
  f.run(600, healthy);
  f.run(120, [](PipelineTotals& p) {  // 10 flagged a second: 600 a minute against 60
    healthy(p);
    p.flagged += 9;
  });
  EXPECT_EQ(f.events(), (std::vector<std::string>{"fraud_burst"}));
  EXPECT_NE(f.sent[0].text.find("against 6"), std::string::npos) << f.sent[0].text;
  f.run(60, healthy);
  f.run(60, [](PipelineTotals& p) {  // back within five quiet minutes: the same burst
    healthy(p);
    p.flagged += 9;
  });
  EXPECT_EQ(f.sent.size(), 1u);
  f.run(6 * 60, healthy);
  f.run(60, [](PipelineTotals& p) {  // a new burst, above the baseline the first one raised
    healthy(p);
    p.flagged += 19;
  });
  EXPECT_EQ(f.events(), (std::vector<std::string>{"fraud_burst", "fraud_burst"}));
  // Twice the usual is no burst, however many that is.
  Feed busy(only_bursts_of(100));
  busy.run(900, [](PipelineTotals& p) {
    healthy(p);
    p.flagged += 4;  // 300 a minute, every minute
  });
  busy.run(120, [](PipelineTotals& p) {
    healthy(p);
    p.flagged += 9;  // 600 a minute
  });
  EXPECT_TRUE(busy.sent.empty());
}

}  // namespace
}  // namespace wf::notify
