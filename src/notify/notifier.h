// Notifications to webhooks (seed 004's Discord messages, seed 002's alerting): job
// outcomes, quality failures and stream alerts, as Discord-, Slack- or plain-JSON
// payloads. Delivery runs on its own thread with retries and backoff; send() never
// blocks, so a failing or hanging webhook cannot slow the pipeline (a full queue drops
// the oldest messages, counted).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace wf::notify {

enum class Severity { kInfo, kWarning, kCritical };
std::string_view severity_name(Severity s);

struct Message {
  std::string event;  // job_failed, job_succeeded, quality_failed, consumer_lag, ...
  Severity severity = Severity::kInfo;
  std::string title;
  std::string text;
  std::vector<std::pair<std::string, std::string>> fields;
  Instant at = 0;
};

enum class Format { kDiscord, kSlack, kJson };

struct Webhook {
  std::string url;  // http(s)://host[:port]/path
  Format format = Format::kJson;
};

// "discord:https://...", "slack:https://...", "json:http://..." or a bare URL (Discord
// for discord.com / discordapp.com, Slack for hooks.slack.com, else JSON).
Result<Webhook> parse_webhook(std::string_view spec);
// WALLETFLOW_WEBHOOKS (comma-separated) and the file named by WALLETFLOW_WEBHOOKS_FILE
// (one per line, # comments): webhook URLs carry secrets, so never in config files.
Result<std::vector<Webhook>> webhooks_from_env();

std::string payload(const Message& m, Format format);

class Notifier {
 public:
  struct Options {
    size_t max_queue = 1000;
    int attempts = 5;                            // per message and webhook
    int64_t backoff_us = kMicrosPerSecond;       // doubles after each failed attempt
    int64_t timeout_us = 10 * kMicrosPerSecond;  // connect, and then read/write
    int64_t drain_us = 10 * kMicrosPerSecond;    // at exit, waiting for the queue
  };
  struct Stats {
    int64_t sent = 0;     // deliveries answered 2xx
    int64_t retried = 0;  // failed attempts that were retried
    int64_t failed = 0;   // deliveries given up after every attempt
    int64_t dropped = 0;  // dropped from a full queue, or not delivered at exit
  };

  explicit Notifier(std::vector<Webhook> hooks);
  Notifier(std::vector<Webhook> hooks, Options options);
  // Waits up to options.drain_us for the queue to drain, then gives up on the rest and
  // says how many messages were not delivered.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void send(Message m);
  // Waits until every queued message is delivered or given up (tests, shutdown).
  bool flush(int64_t timeout_us);
  Stats stats() const;
  bool enabled() const { return !hooks_.empty(); }

 private:
  void loop();
  bool deliver(const Webhook& hook, const std::string& body);

  std::vector<Webhook> hooks_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Message> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<bool> abandon_{false};
  int64_t abandoned_ = 0;  // deliveries not made because of the exit (under mu_)
  Stats stats_;
  std::thread thread_;
};

}  // namespace wf::notify
