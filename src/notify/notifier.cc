#include "notify/notifier.h"

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/thread.h"

namespace wf::notify {
namespace {

// Discord embed colours.
int colour(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return 0x2ECC71;  // green
    case Severity::kWarning:
      return 0xF1C40F;  // amber
    case Severity::kCritical:
      return 0xE74C3C;  // red
  }
  return 0;
}

std::string_view icon(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return ":white_check_mark:";
    case Severity::kWarning:
      return ":warning:";
    case Severity::kCritical:
      return ":rotating_light:";
  }
  return "";
}

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string path;
};

Result<Url> split_url(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos ||
      (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https")) {
    return make_error(Errc::kConfig, "webhook URL must start with http:// or https://");
  }
  size_t path = url.find('/', scheme_end + 3);
  if (path == scheme_end + 3) return make_error(Errc::kConfig, "webhook URL has no host");
  Url u;
  u.origin = std::string(url.substr(0, path));
  u.path = path == std::string_view::npos ? "/" : std::string(url.substr(path));
  return u;
}

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

Result<Webhook> parse_webhook(std::string_view spec) {
  Webhook hook;
  bool explicit_format = true;
  if (spec.starts_with("discord:")) {
    hook.format = Format::kDiscord;
    spec.remove_prefix(8);
  } else if (spec.starts_with("slack:")) {
    hook.format = Format::kSlack;
    spec.remove_prefix(6);
  } else if (spec.starts_with("json:")) {
    hook.format = Format::kJson;
    spec.remove_prefix(5);
  } else {
    explicit_format = false;
  }
  auto url = split_url(spec);
  if (!url.ok()) return url.take_error();
  if (!explicit_format) {
    const std::string& o = url->origin;
    if (o.find("discord.com") != std::string::npos ||
        o.find("discordapp.com") != std::string::npos) {
      hook.format = Format::kDiscord;
    } else if (o.find("hooks.slack.com") != std::string::npos) {
      hook.format = Format::kSlack;
    }
  }
  hook.url = std::string(spec);
  return hook;
}

Result<std::vector<Webhook>> webhooks_from_env() {
  std::vector<std::string> specs;
  if (const char* list = std::getenv("WALLETFLOW_WEBHOOKS"); list != nullptr) {
    std::string_view rest = list;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) specs.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (const char* file = std::getenv("WALLETFLOW_WEBHOOKS_FILE"); file != nullptr && *file) {
    std::ifstream in(file);
    if (!in) {
      return make_error(Errc::kConfig,
                        "WALLETFLOW_WEBHOOKS_FILE: cannot open '" + std::string(file) + "'");
    }
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
      if (!line.empty() && line[0] != '#') specs.push_back(line);
    }
  }
  std::vector<Webhook> hooks;
  for (const std::string& s : specs) {
    auto hook = parse_webhook(s);
    if (!hook.ok()) {
      // Never echo the URL: it holds the webhook's secret token.
      return make_error(Errc::kConfig, "webhook " + std::to_string(hooks.size() + 1) + ": " +
                                           hook.error().message);
    }
    hooks.push_back(std::move(*hook));
  }
  return hooks;
}

std::string payload(const Message& m, Format format) {
  std::string out;
  JsonWriter w(&out);
  const std::string at = format_utc(m.at);
  switch (format) {
    case Format::kDiscord: {
      w.begin_object();
      w.key("username").string("walletflow");
      w.key("embeds").begin_array().begin_object();
      w.key("title").string(m.title.substr(0, 256));
      w.key("description").string(m.text.substr(0, 4000));
      w.key("color").number(int64_t{colour(m.severity)});
      w.key("timestamp").string(at);
      w.key("fields").begin_array();
      for (size_t i = 0; i < m.fields.size() && i < 25; ++i) {
        w.begin_object();
        w.key("name").string(m.fields[i].first.substr(0, 256));
        w.key("value").string(m.fields[i].second.substr(0, 1024));
        w.key("inline").boolean(true);
        w.end_object();
      }
      w.end_array();
      w.key("footer").begin_object().key("text").string(m.event).end_object();
      w.end_object().end_array();
      w.end_object();
      break;
    }
    case Format::kSlack: {
      w.begin_object();
      w.key("text").string(std::string(icon(m.severity)) + " " + m.title);
      w.key("blocks").begin_array();
      w.begin_object().key("type").string("header");
      w.key("text").begin_object().key("type").string("plain_text");
      w.key("text").string(m.title.substr(0, 150)).end_object().end_object();
      w.begin_object().key("type").string("section");
      w.key("text").begin_object().key("type").string("mrkdwn");
      w.key("text").string(m.text.substr(0, 3000)).end_object().end_object();
      if (!m.fields.empty()) {
        w.begin_object().key("type").string("section").key("fields").begin_array();
        for (size_t i = 0; i < m.fields.size() && i < 10; ++i) {
          w.begin_object().key("type").string("mrkdwn");
          w.key("text").string("*" + m.fields[i].first + "*\n" + m.fields[i].second);
          w.end_object();
        }
        w.end_array().end_object();
      }
      w.begin_object().key("type").string("context").key("elements").begin_array();
      w.begin_object().key("type").string("mrkdwn");
      w.key("text").string(m.event + " · " + at).end_object();
      w.end_array().end_object();
      w.end_array();
      w.end_object();
      break;
    }
    case Format::kJson: {
      w.begin_object();
      w.key("source").string("walletflow");
      w.key("event").string(m.event);
      w.key("severity").string(severity_name(m.severity));
      w.key("title").string(m.title);
      w.key("text").string(m.text);
      w.key("fields").begin_object();
      for (const auto& [k, v] : m.fields) w.key(k).string(v);
      w.end_object();
      w.key("at").string(at);
      w.end_object();
      break;
    }
  }
  return out;
}

Notifier::Notifier(std::vector<Webhook> hooks) : Notifier(std::move(hooks), Options()) {}

Notifier::Notifier(std::vector<Webhook> hooks, Options options)
    : hooks_(std::move(hooks)), options_(options) {
  if (!hooks_.empty()) thread_ = spawn_quiet_thread([this] { loop(); });
}

Notifier::~Notifier() {
  if (!thread_.joinable()) return;
  (void)flush(options_.drain_us);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    abandon_ = true;  // under the lock: a delivery waiting out its backoff wakes at once
  }
  wake_.notify_all();
  thread_.join();
  if (abandoned_ > 0) {
    log::warn("notify: " + std::to_string(abandoned_) +
              " message(s) not delivered at exit: still queued or being retried after the " +
              std::to_string(options_.drain_us / 1000) + " ms drain (webhook_drain)");
  }
}

void Notifier::send(Message m) {
  if (hooks_.empty()) return;
  if (m.at == 0) m.at = SystemClock().now();
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.max_queue) {
      queue_.pop_front();
      ++stats_.dropped;
    }
    queue_.push_back(std::move(m));
  }
  wake_.notify_one();
}

bool Notifier::flush(int64_t timeout_us) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, std::chrono::microseconds(timeout_us),
                        [&] { return queue_.empty() && !busy_; });
}

Notifier::Stats Notifier::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Notifier::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Message m = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    for (const Webhook& hook : hooks_) {
      const std::string body = payload(m, hook.format);
      bool ok = false;
      int64_t wait = options_.backoff_us;
      for (int attempt = 1; attempt <= options_.attempts && !abandon_; ++attempt) {
        if (deliver(hook, body)) {
          ok = true;
          break;
        }
        if (attempt == options_.attempts) break;
        {
          std::lock_guard g(mu_);
          ++stats_.retried;
        }
        // Back off, but wake at once to give up when the notifier is going away.
        std::unique_lock w(mu_);
        wake_.wait_for(w, std::chrono::microseconds(wait), [&] { return abandon_.load(); });
        wait *= 2;
      }
      std::lock_guard g(mu_);
      if (ok) {
        ++stats_.sent;
      } else if (abandon_) {
        ++stats_.dropped;  // exiting: reported once, after the thread ends
        ++abandoned_;
      } else {
        ++stats_.failed;
        log::warn("notify: gave up delivering '" + m.event + "' to a webhook");
      }
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

bool Notifier::deliver(const Webhook& hook, const std::string& body) {
  auto url = split_url(hook.url);
  if (!url.ok()) return false;
  httplib::Client client(url->origin);
  const auto seconds = static_cast<time_t>(options_.timeout_us / kMicrosPerSecond);
  const auto micros = static_cast<time_t>(options_.timeout_us % kMicrosPerSecond);
  client.set_connection_timeout(seconds, micros);
  client.set_read_timeout(seconds, micros);
  client.set_write_timeout(seconds, micros);
  client.enable_server_certificate_verification(true);
  client.set_ca_cert_path("/etc/ssl/certs/ca-certificates.crt");
  httplib::Result r = client.Post(url->path, body, "application/json");
  if (!r) {
    const std::string why =
        r.error() == httplib::Error::Read
            ? "no answer within " + std::to_string(options_.timeout_us / 1000) + " ms"
            : httplib::to_string(r.error());
    log::warn("notify: webhook " + url->origin + " unreachable: " + why);
    return false;
  }
  if (r->status >= 200 && r->status < 300) return true;
  log::warn("notify: webhook " + url->origin + " answered " + std::to_string(r->status));
  return false;
}

}  // namespace wf::notify
