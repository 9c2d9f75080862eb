// walletflow generate: a deterministic, labelled synthetic transaction stream.
#include <cstdio>
#include <functional>
#include <thread>

#include "app/commands.h"
#include "app/common.h"
#include "app/dims.h"
#include "app/kafka_sink.h"
#include "app/output_file.h"
#include "codec/label_codec.h"
#include "codec/paysim.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "gen/card.h"
#include "gen/paysim.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow generate --profile ph-ewallet (--count N | --rate R) --out FILE|- "
    "[options]\n"
    "       walletflow generate --profile card --count N --out FILE|- [--users N]\n"
    "                           [--merchants M] [--seed S] [--fraud-rate F] [--start T]\n"
    "                           [--labels-out FILE]\n"
    "       walletflow generate --profile ecommerce (--count N | --rate R) (--out FILE|- |\n"
    "                           --kafka BROKERS [--topic orders]) [--store URI | --users N\n"
    "                           --merchants P] [--seed S] [--fraud-rate F] [--start T]\n"
    "                           [--orders-per-day D] [--labels-out FILE]\n"
    "       walletflow generate --profile paysim --format paysim --count N --out FILE|-\n"
    "                           [--users N] [--merchants N] [--seed S] [--fraud-rate F]\n"
    "                           [--labels-out FILE]\n"
    "\n"
    "card writes card payments (seeds 001, 002): customers with a home city and their own\n"
    "spending level (--users, default 20000), card present or online, with the card\n"
    "pack's patterns injected and named in the labels (default 0.005 of events), over\n"
    "30 days from --start (default 2026-01-01). 'seed --profile card' with the same\n"
    "--users, --merchants and --seed stores these customers with their homes.\n"
    "ecommerce writes seed 004's orders (order_id, user_id, product_id, quantity, amount as\n"
    "a string, country, created_date at UTC+7, status Pending) from the users and products\n"
    "of --store (seeded with 'seed --profile ecommerce'), or seeded in memory (--users,\n"
    "default 20000; --merchants: products, default 2000), about --orders-per-day (20000)\n"
    "over the shop's day from --start, with each pattern of the ecommerce pack injected\n"
    "and named in the labels (default 0.01 of orders). --kafka produces to topic 'orders',\n"
    "keyed by product_id: the rules that compare users are keyed by product.\n"
    "paysim writes PaySim's CSV (seed 003) with the published data's shape: fraud\n"
    "(default 0.0013 of rows) only in TRANSFER and CASH_OUT, each pattern of the paysim\n"
    "pack injected and named in the labels, with isFlaggedFraud as the labels' baseline.\n"
    "--users are the customer accounts (default 100000), --merchants the merchants\n"
    "(default 20000), over 743 hourly steps.\n"
    "\n"
    "Writes one JSON event per line; ground truth goes only to --labels-out. With --count\n"
    "the stream is simulated (event time advances with the users' activity from --start);\n"
    "with --rate it is paced in real time and events carry the wall-clock time.\n"
    "\n"
    "options:\n"
    "  --store URI         read users and merchants from this seeded store\n"
    "  --users N, --merchants N  without --store: seed this many in memory (default\n"
    "                      10000 / 500) with the same --seed, reference day --now\n"
    "                      (default 2026-01-01)\n"
    "  --count N           events to write\n"
    "  --rate R            events per second, paced (with --duration S to stop)\n"
    "  --duration S        seconds to run with --rate\n"
    "  --seed S            random seed (default 0): same seed, same bytes\n"
    "  --fraud-rate F      share of events that are injected fraud (default 0.02)\n"
    "  --bad-rate B        share of lines that are malformed (default 0)\n"
    "  --start TIME        simulated start, RFC 3339 (default: after the last activity)\n"
    "  --disorder-ms N     emit events up to N ms out of event-time order (default 0)\n"
    "  --out FILE|-        events (required unless --kafka)\n"
    "  --kafka BROKERS     produce to Kafka instead: bootstrap servers (host:port,...), or\n"
    "                      @FILE to read them from a file (kafka-dev --bootstrap-file)\n"
    "  --topic NAME        Kafka topic (default walletflow-bronze-transactions); records\n"
    "                      are keyed by user_id, the producer is idempotent\n"
    "  --kafka-config FILE librdkafka properties (SASL, TLS, ...) for a real cluster\n"
    "  --labels-out FILE   labels {transaction_id, is_fraud, pattern}\n"
    "  --summary-out FILE  JSON summary: events, fraud, malformed lines by code\n";

// --out (or --kafka) gets `header` (when not empty) and every line `next` writes;
// --labels-out gets each line's label. `next` returns false after the last line. With
// --rate the lines are paced in real time and `now` is the wall clock (else 0).
using NextLine =
    std::function<bool(Instant now, std::string* out, gen::Label* label, int* baseline)>;
int write_generated(const Args& args, std::string_view header, const NextLine& next,
                    const std::string& what, std::string_view topic = stream::kafka::kBronzeTopic,
                    std::string_view key_field = "user_id") {
  auto rate = args.get_double("rate", 0, 0.001, 10'000'000);
  if (!rate.ok()) return usage_error(args, rate.error().message);
  auto duration = args.get_double("duration", 0, 0, 365.0 * 86400);
  if (!duration.ok()) return usage_error(args, duration.error().message);
  std::unique_ptr<KafkaSink> kafka;
  if (args.has("kafka")) {
    auto sink = KafkaSink::open(args, topic, key_field);
    if (!sink.ok()) return report(sink.error());
    kafka = std::move(*sink);
  }
  auto out = OutputFile::open(kafka ? "/dev/null" : *args.get("out"));
  if (!out.ok()) return report(out.error());
  std::unique_ptr<OutputFile> labels;
  if (auto path = args.get("labels-out")) {
    auto f = OutputFile::open(*path);
    if (!f.ok()) return report(f.error());
    labels = std::move(*f);
  }
  std::string* buffer = &(*out)->buffer();
  auto emit = [&]() { return kafka ? kafka->send_lines(buffer) : (*out)->maybe_flush(); };
  if (!header.empty()) buffer->append(header).push_back('\n');
  gen::Label label;
  int baseline = -1;
  int64_t lines = 0, fraud = 0;
  SystemClock clock;
  const int64_t start_us = clock.monotonic_us();
  const int64_t stop_after_us = *duration > 0 ? static_cast<int64_t>(*duration * 1e6) : INT64_MAX;
  install_stop_handlers();
  while (!stop_flag().load(std::memory_order_relaxed)) {
    Instant now = 0;
    if (*rate > 0) {
      const int64_t elapsed = clock.monotonic_us() - start_us;
      if (elapsed >= stop_after_us) break;
      if (lines >= static_cast<int64_t>(static_cast<double>(elapsed) * *rate / 1e6)) {
        if (Status s = kafka ? kafka->send_lines(buffer) : (*out)->flush(); !s.ok()) {
          return report(s.error());
        }
        if (labels) (void)labels->flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      now = clock.now();
    }
    if (!next(now, buffer, &label, &baseline)) break;
    ++lines;
    fraud += label.is_fraud;
    if (Status s = emit(); !s.ok()) return report(s.error());
    if (labels) {
      codec::append_label_line(&labels->buffer(), label.transaction_id, label.is_fraud,
                               label.pattern, baseline);
      if (Status s = labels->maybe_flush(); !s.ok()) return report(s.error());
    }
  }
  if (Status s = kafka ? kafka->finish() : (*out)->flush(); !s.ok()) return report(s.error());
  if (labels) {
    if (Status s = labels->flush(); !s.ok()) return report(s.error());
  }
  log::info(what + ": " + std::to_string(lines) + " lines, " + std::to_string(fraud) + " fraud" +
            (kafka ? " to Kafka topic " + kafka->topic() : std::string()));
  return kExitOk;
}

int generate_card(const Args& args) {
  if (args.get_or("format", "json") != "json") {
    return usage_error(args, "the card profile writes --format json");
  }
  for (const char* o : {"rate", "store", "kafka", "bad-rate", "disorder-ms"}) {
    if (args.has(o)) return usage_error(args, std::string("--") + o + " is not for card");
  }
  if (!args.has("count")) return usage_error(args, "--count is required");
  if (!args.has("out")) return usage_error(args, "--out is required");
  gen::CardOptions o;
  auto count = args.get_int("count", 0, 1, 1'000'000'000);
  auto customers = args.get_int("users", o.customers, 10, 100'000'000);
  auto merchants = args.get_int("merchants", o.merchants, 1, 100'000'000);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  auto fraud = args.get_double("fraud-rate", o.fraud_rate, 0, 0.2);
  auto start = parse_rfc3339(args.get_or("start", "2026-01-01T00:00:00Z"));
  for (const Error* e :
       {count.ok() ? nullptr : &count.error(), customers.ok() ? nullptr : &customers.error(),
        merchants.ok() ? nullptr : &merchants.error(), seed.ok() ? nullptr : &seed.error(),
        fraud.ok() ? nullptr : &fraud.error(), start.ok() ? nullptr : &start.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  o.count = *count;
  o.customers = *customers;
  o.merchants = *merchants;
  o.seed = static_cast<uint64_t>(*seed);
  o.fraud_rate = *fraud;
  o.start = *start;
  gen::CardGenerator g(o);
  return write_generated(
      args, "",
      [&g](Instant, std::string* out, gen::Label* label, int*) { return g.next(out, label); },
      "card");
}

int generate_paysim(const Args& args) {
  if (args.get_or("format", "paysim") != "paysim") {
    return usage_error(args, "the paysim profile writes --format paysim");
  }
  for (const char* o : {"rate", "store", "kafka", "bad-rate", "disorder-ms", "start"}) {
    if (args.has(o)) return usage_error(args, std::string("--") + o + " is not for paysim");
  }
  if (!args.has("count")) return usage_error(args, "--count is required");
  if (!args.has("out")) return usage_error(args, "--out is required");
  gen::PaysimOptions o;
  auto count = args.get_int("count", 0, 1, 1'000'000'000);
  auto accounts = args.get_int("users", o.accounts, 100, 100'000'000);
  auto merchants = args.get_int("merchants", o.merchants, 1, 100'000'000);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  auto fraud = args.get_double("fraud-rate", o.fraud_rate, 0, 0.2);
  for (const Error* e :
       {count.ok() ? nullptr : &count.error(), accounts.ok() ? nullptr : &accounts.error(),
        merchants.ok() ? nullptr : &merchants.error(), seed.ok() ? nullptr : &seed.error(),
        fraud.ok() ? nullptr : &fraud.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  o.count = *count;
  o.accounts = *accounts;
  o.merchants = *merchants;
  o.seed = static_cast<uint64_t>(*seed);
  o.fraud_rate = *fraud;
  gen::PaysimGenerator g(o);
  return write_generated(
      args, codec::kPaysimHeader,
      [&g](Instant, std::string* out, gen::Label* label, int* baseline) {
        return g.next(out, label, baseline);
      },
      "paysim");
}

int generate_ecommerce(const Args& args) {
  if (args.get_or("format", "json") != "json") {
    return usage_error(args, "the ecommerce profile writes --format json");
  }
  for (const char* o : {"bad-rate", "disorder-ms"}) {
    if (args.has(o)) return usage_error(args, std::string("--") + o + " is not for ecommerce");
  }
  if (!args.has("count") && !args.has("rate")) {
    return usage_error(args, "one of --count or --rate is required");
  }
  if (args.has("out") == args.has("kafka")) {
    return usage_error(args, "one of --out or --kafka is required");
  }
  if (args.has("duration") && !args.has("rate")) {
    return usage_error(args, "--duration goes with --rate");
  }
  gen::OrderOptions o;
  auto count = args.get_int("count", args.has("rate") ? INT64_MAX : 0, 1, INT64_MAX);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  auto fraud = args.get_double("fraud-rate", o.fraud_rate, 0, 0.2);
  auto per_day = args.get_double("orders-per-day", o.orders_per_day, 1, 1e9);
  auto start = parse_rfc3339(args.get_or("start", "2026-01-01T00:00:00+07:00"));
  for (const Error* e :
       {count.ok() ? nullptr : &count.error(), seed.ok() ? nullptr : &seed.error(),
        fraud.ok() ? nullptr : &fraud.error(), per_day.ok() ? nullptr : &per_day.error(),
        start.ok() ? nullptr : &start.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  o.count = *count;
  o.seed = static_cast<uint64_t>(*seed);
  o.fraud_rate = *fraud;
  o.orders_per_day = *per_day;
  o.start = *start;
  // The order producer reads users and products from the store (seed 004), or seeds the
  // same ones in memory.
  gen::EcommerceDims dims;
  if (args.has("store")) {
    if (args.has("users") || args.has("merchants")) {
      return usage_error(args, "--users and --merchants seed in memory: not with --store");
    }
    auto store = open_store_arg(args, "");
    if (!store.ok()) return report(store.error());
    auto loaded = load_ecommerce_dimensions(**store);
    if (!loaded.ok()) return report(loaded.error());
    dims = std::move(loaded).value();
  } else {
    auto options = ecommerce_seed_options_from(args, *parse_rfc3339("2026-01-01T00:00:00Z"));
    if (!options.ok()) return usage_error(args, options.error().message);
    dims = gen::seed_ecommerce(*options);
  }
  gen::OrderGenerator g(dims, o);
  return write_generated(
      args, "",
      [&g](Instant now, std::string* out, gen::Label* label, int*) {
        return now != 0 ? g.next_at(now, out, label) : g.next(out, label);
      },
      "ecommerce", "orders", "product_id");
}

}  // namespace

int cmd_generate(int argc, char** argv) {
  Args args(kUsage);
  args.option("profile").option("store").option("users").option("merchants").option("count");
  args.option("rate").option("duration").option("seed").option("fraud-rate").option("bad-rate");
  args.option("start")
      .option("disorder-ms")
      .option("out")
      .option("labels-out")
      .option("summary-out")
      .option("now")
      .option("kafka")
      .option("topic")
      .option("kafka-config")
      .option("format")
      .option("orders-per-day");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (args.get_or("profile", "ph-ewallet") == "paysim") return generate_paysim(args);
  if (args.get_or("profile", "ph-ewallet") == "card") return generate_card(args);
  if (args.get_or("profile", "ph-ewallet") == "ecommerce") return generate_ecommerce(args);
  if (args.get_or("format", "json") != "json") {
    return usage_error(args, "ph-ewallet writes --format json");
  }
  if (args.get_or("profile", "ph-ewallet") != "ph-ewallet") {
    return usage_error(args, "unknown profile '" + *args.get("profile") + "'");
  }
  if (!args.has("out") && !args.has("kafka")) {
    return usage_error(args, "--out (or --kafka) is required");
  }
  if (args.has("out") && args.has("kafka")) {
    return usage_error(args, "--out and --kafka: choose one destination");
  }
  if (!args.has("count") && !args.has("rate")) {
    return usage_error(args, "one of --count or --rate is required");
  }
  auto count = args.get_int("count", INT64_MAX, 0, INT64_MAX);
  auto rate = args.get_double("rate", 0, 0.001, 10'000'000);
  auto duration = args.get_double("duration", 0, 0, 365.0 * 86400);
  auto seed = args.get_int("seed", 0, 0, INT64_MAX);
  auto fraud = args.get_double("fraud-rate", 0.02, 0, 0.5);
  auto bad = args.get_double("bad-rate", 0, 0, 1);
  auto disorder = args.get_int("disorder-ms", 0, 0, 3'600'000);
  if (!disorder.ok()) return usage_error(args, disorder.error().message);
  if (*disorder > 0 && bad.ok() && *bad >= 1.0) {
    return usage_error(args, "--disorder-ms needs some well-formed lines (--bad-rate < 1)");
  }
  for (const Error* e :
       {count.ok() ? nullptr : &count.error(), rate.ok() ? nullptr : &rate.error(),
        duration.ok() ? nullptr : &duration.error(), seed.ok() ? nullptr : &seed.error(),
        fraud.ok() ? nullptr : &fraud.error(), bad.ok() ? nullptr : &bad.error()}) {
    if (e != nullptr) return usage_error(args, e->message);
  }
  bool paced = args.has("rate");

  gen::Dimensions dims;
  SystemClock clock;
  if (args.has("store")) {
    auto store = open_store_arg(args, "");
    if (!store.ok()) return report(store.error());
    auto loaded = load_dimensions(**store);
    if (!loaded.ok()) return report(loaded.error());
    dims = std::move(loaded).value();
  } else {
    // A fixed reference day, so the same seed gives the same bytes on any date.
    auto options = seed_options_from(args, *parse_rfc3339("2026-01-01T00:00:00Z"));
    if (!options.ok()) return usage_error(args, options.error().message);
    dims = gen::seed_dimensions(*options);
  }

  gen::StreamOptions options;
  options.seed = static_cast<uint64_t>(*seed);
  options.fraud_rate = *fraud;
  options.bad_rate = *bad;
  options.max_disorder_us = *disorder * 1000;
  Instant last = 0;
  for (const domain::User& u : dims.users) last = std::max(last, u.last_txn_at);
  options.start = last + kMicrosPerHour;
  if (auto text = args.get("start")) {
    auto t = parse_rfc3339(*text);
    if (!t.ok()) return usage_error(args, "--start: " + t.error().message);
    options.start = *t;
  }

  std::unique_ptr<KafkaSink> kafka;
  if (args.has("kafka")) {
    auto sink = KafkaSink::open(args);
    if (!sink.ok()) return report(sink.error());
    kafka = std::move(*sink);
  }
  auto out = OutputFile::open(kafka ? "/dev/null" : *args.get("out"));
  if (!out.ok()) return report(out.error());
  std::unique_ptr<OutputFile> labels_out;
  if (auto path = args.get("labels-out")) {
    auto f = OutputFile::open(*path);
    if (!f.ok()) return report(f.error());
    labels_out = std::move(f).value();
  }

  gen::StreamGenerator generator(dims, options);
  install_stop_handlers();
  gen::Label label;
  int64_t written = 0;
  int64_t start_us = clock.monotonic_us();
  int64_t stop_after_us = *duration > 0 ? static_cast<int64_t>(*duration * 1e6) : INT64_MAX;
  while (written < *count && !stop_flag().load(std::memory_order_relaxed)) {
    if (paced) {
      int64_t elapsed = clock.monotonic_us() - start_us;
      if (elapsed >= stop_after_us) break;
      int64_t due = static_cast<int64_t>(static_cast<double>(elapsed) * *rate / 1e6);
      if (written >= due) {
        Status f = (*out)->flush();
        if (!f.ok()) return report(f.error());
        if (labels_out) (void)labels_out->flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
    }
    bool good = paced ? generator.next_at(clock.now(), &(*out)->buffer(), &label)
                      : generator.next(&(*out)->buffer(), &label);
    if (good && labels_out) {
      codec::append_label_line(&labels_out->buffer(), label.transaction_id, label.is_fraud,
                               label.pattern);
      Status s = labels_out->maybe_flush();
      if (!s.ok()) return report(s.error());
    }
    Status s = kafka ? kafka->send_lines(&(*out)->buffer()) : (*out)->maybe_flush();
    if (!s.ok()) return report(s.error());
    ++written;
  }
  Status s = kafka ? kafka->finish() : (*out)->flush();
  if (!s.ok()) return report(s.error());
  if (labels_out) {
    s = labels_out->flush();
    if (!s.ok()) return report(s.error());
  }

  double seconds = static_cast<double>(clock.monotonic_us() - start_us) / 1e6;
  std::string summary;
  JsonWriter w(&summary);
  w.begin_object();
  w.key("lines").number(written);
  w.key("seconds").number(seconds, 3);
  w.key("lines_per_s").number(seconds > 0 ? static_cast<double>(written) / seconds : 0, 0);
  w.key("events").number(generator.events());
  w.key("fraud_events").number(generator.fraud_events());
  w.key("malformed").number(generator.bad_lines().total);
  if (kafka) {
    w.key("kafka").begin_object();
    w.key("topic").string(kafka->topic());
    w.key("delivered").number(kafka->counts().delivered);
    w.key("failed").number(kafka->counts().failed);
    w.end_object();
  }
  w.key("malformed_by_code").begin_object();
  for (size_t i = 0; i < generator.bad_lines().by_code.size(); ++i) {
    if (generator.bad_lines().by_code[i] == 0) continue;
    w.key(errc_name(static_cast<Errc>(i))).number(generator.bad_lines().by_code[i]);
  }
  w.end_object();
  w.end_object();
  summary.push_back('\n');
  if (auto path = args.get("summary-out")) {
    auto f = OutputFile::open(*path);
    if (!f.ok()) return report(f.error());
    (*f)->buffer() = summary;
    s = (*f)->flush();
    if (!s.ok()) return report(s.error());
  } else {
    std::fputs(summary.c_str(), stderr);
  }
  return kExitOk;
}

}  // namespace wf::app
