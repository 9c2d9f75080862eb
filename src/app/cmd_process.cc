// walletflow process: a stream through validation, PII protection and scoring into a
// store, exactly once (resumes from the offsets committed with each batch).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/common.h"
#include "app/kafka_outputs.h"
#include "app/kafka_sink.h"
#include "app/operations.h"
#include "app/output_file.h"
#include "app/rules_watcher.h"
#include "app/status_line.h"
#include "codec/csv_mapping.h"
#include "codec/label_codec.h"
#include "codec/paysim.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "model/model_file.h"
#include "pipeline/runner.h"
#include "store/store.h"
#include "stream/file/file_source.h"
#include "stream/kafka/kafka_source.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow process --source file:PATH|PATH|- --store sqlite:PATH [options]\n"
    "\n"
    "Decodes, validates, enriches, protects (HMAC-SHA256 of phone numbers and IPs) and\n"
    "scores every record, storing facts, alerts and dead letters with the source offset\n"
    "in one transaction per batch. Rerunning resumes where the last committed batch ended.\n"
    "\n"
    "options:\n"
    "  --source SRC         file:PATH, PATH, - for stdin, or\n"
    "                       kafka://BROKERS/TOPIC?group=NAME[&until=end] (BROKERS may be\n"
    "                       @FILE, e.g. kafka-dev's --bootstrap-file) (required)\n"
    "  --kafka-config FILE  librdkafka properties (SASL, TLS, ...) for a real cluster\n"
    "  --publish BROKERS    also publish every committed batch to Kafka: facts to\n"
    "                       walletflow-silver-transactions, alerts to walletflow-fraud-alerts,\n"
    "                       dead letters (code in headers) to walletflow-dead-letters;\n"
    "                       with the ecommerce profile (seed 004) every order, enriched\n"
    "                       and with status Genuine or Fraud, to processed_orders and\n"
    "                       the Fraud ones to fraud_alert\n"
    "  --format F           json (default: JSON lines), paysim (PaySim's CSV, header\n"
    "                       first; with --profile paysim) or csv (any CSV with a header,\n"
    "                       read through --mapping)\n"
    "  --mapping FILE       csv: which column is which field, time and amount formats,\n"
    "                       type values, the label column, the rules (docs/CSV_MAPPING.md)\n"
    "  --paysim-start TIME  paysim: the time of step 0, RFC 3339 (default 2026-01-01)\n"
    "  --labels-out FILE    paysim, csv: each row's label (PaySim's isFraud, with\n"
    "                       isFlaggedFraud as the baseline; the mapping's label column),\n"
    "                       for eval (labels never enter the event)\n"
    "  --store URI          sqlite:PATH (required)\n"
    "  --rules FILE         rule pack (TOML); default: the profile's builtin pack. The file\n"
    "                       is reloaded when it changes or on SIGHUP (an invalid edit is\n"
    "                       logged and the running rules stay)\n"
    "  --profile NAME       ph-ewallet (default), card, ecommerce or paysim: its rules\n"
    "  --pii-key-file FILE  PII key file; or set WALLETFLOW_PII_KEY (required: one of them)\n"
    "  --batch N            records per store transaction at most (default 16384)\n"
    "  --batch-ms MS        commit a partial batch once it is this old (default 25)\n"
    "  --writers N          store connections writing batches at once, committed in order\n"
    "                       (default 2 on PostgreSQL; SQLite always writes with one)\n"
    "  --max-event-bytes N  larger records are OVERSIZED dead letters (default 65536)\n"
    "  --config FILE        operations config: the thresholds of the stream alerts (lag,\n"
    "                       stall, fraud rate, bursts) sent to the webhooks of\n"
    "                       WALLETFLOW_WEBHOOKS / WALLETFLOW_WEBHOOKS_FILE (default: the\n"
    "                       built-in config/operations.toml)\n"
    "  --json               print the summary as JSON\n"
    "  --log-format F       text (default) or json\n";

}  // namespace

namespace {

// A CSV source whose first line is a header: the header (the record at position 0, when
// it is one) never reaches the processor, so it is neither an event nor a dead letter.
class HeaderSkippingSource final : public stream::Source {
 public:
  HeaderSkippingSource(std::unique_ptr<stream::Source> inner,
                       std::function<bool(std::string_view)> is_header)
      : inner_(std::move(inner)), is_header_(std::move(is_header)) {}
  const std::string& name() const override { return inner_->name(); }
  bool resumable() const override { return inner_->resumable(); }
  Status seek(int64_t position) override { return inner_->seek(position); }
  Status next(stream::RecordBatch* out, size_t max_records) override {
    WF_RETURN_IF_ERROR(inner_->next(out, max_records));
    if (!out->records.empty() && out->records.front().offset == 0 &&
        is_header_(out->records.front().bytes)) {
      out->records.erase(out->records.begin());
    }
    return Status::Ok();
  }
  void on_committed(const std::vector<stream::Position>& p) override { inner_->on_committed(p); }
  int64_t lag() const override { return inner_->lag(); }

 private:
  std::unique_ptr<stream::Source> inner_;
  std::function<bool(std::string_view)> is_header_;
};

}  // namespace

int cmd_process(int argc, char** argv) {
  Args args(std::string(kUsage) + "\nmodel options:\n" + kModelOptionsUsage);
  args.option("source").option("format").option("store").option("rules").option("profile");
  args.option("pii-key-file")
      .option("batch")
      .option("batch-ms")
      .option("max-event-bytes")
      .option("json", true);
  args.option("kafka-config").option("publish").option("config");
  args.option("paysim-start").option("labels-out").option("mapping");
  args.option("model").option("model-policy").option("model-threshold");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;

  auto source_arg = args.get("source");
  if (!source_arg) return usage_error(args, "--source is required");
  if (!args.has("store")) return usage_error(args, "--store is required");
  const std::string format = args.get_or("format", "json");
  if (format != "json" && format != "paysim" && format != "csv") {
    return usage_error(args, "--format must be json, paysim or csv");
  }
  const bool paysim = format == "paysim";
  const bool csv = format == "csv";
  if (!paysim && args.has("paysim-start")) {
    return usage_error(args, "--paysim-start is for --format paysim");
  }
  if (format == "json" && args.has("labels-out")) {
    return usage_error(args, "--labels-out is for --format paysim or csv");
  }
  if (csv != args.has("mapping")) {
    return usage_error(args, "--format csv and --mapping FILE go together");
  }
  auto paysim_start = parse_rfc3339(args.get_or("paysim-start", "2026-01-01T00:00:00Z"));
  if (!paysim_start.ok()) return usage_error(args, "--paysim-start must be an RFC 3339 time");
  auto batch = args.get_int("batch", 16384, 1, 1 << 20);
  if (!batch.ok()) return usage_error(args, batch.error().message);
  auto batch_ms = args.get_int("batch-ms", 25, 1, 60'000);
  if (!batch_ms.ok()) return usage_error(args, batch_ms.error().message);
  auto writers = args.get_int("writers", 2, 1, 8);
  if (!writers.ok()) return usage_error(args, writers.error().message);
  auto max_bytes = args.get_int("max-event-bytes", 65536, 256, 64 << 20);
  if (!max_bytes.ok()) return usage_error(args, max_bytes.error().message);

  std::string path = *source_arg;
  std::optional<KafkaUrl> kafka_url;
  if (path.rfind("kafka://", 0) == 0) {
    auto url = parse_kafka_url(path);
    if (!url.ok()) return usage_error(args, url.error().message);
    kafka_url = std::move(*url);
  } else {
    if (path.rfind("file:", 0) == 0) path = path.substr(5);
    if (path.find("://") != std::string::npos) {
      return usage_error(args, "unsupported source '" + *source_arg +
                                   "' (file:PATH, -, or kafka://BROKERS/TOPIC?group=NAME)");
    }
  }

  // csv: the mapping, and the header line of the file it reads.
  codec::CsvMapping mapping;
  std::string header;
  if (csv) {
    if (kafka_url || path == "-") {
      return usage_error(args, "--format csv reads a file (its first line is the header)");
    }
    auto m = codec::CsvMapping::load_file(*args.get("mapping"));
    if (!m.ok()) return report(m.error());
    mapping = std::move(*m);
    std::ifstream in(path, std::ios::binary);
    if (!in || !std::getline(in, header)) {
      return report(make_error(Errc::kIo, "cannot read the header line of '" + path + "'"));
    }
  }

  auto pii = load_pii(args);
  if (!pii.ok()) return report(pii.error());
  // The rules: --rules or --profile, else what the mapping names, else the default.
  auto pack = csv && !args.has("rules") && !args.has("profile") && !mapping.rules_file.empty()
                  ? rules::RulePack::load_file(mapping.rules_file)
              : csv && !args.has("rules") && !args.has("profile") && !mapping.profile.empty()
                  ? rules::RulePack::builtin(mapping.profile)
                  : load_pack(args);
  if (!pack.ok()) return report(pack.error());
  // A trained model: the rules compiled with its features, so both read one state.
  auto model_option = load_model_option(args, &*pack);
  if (!model_option.ok()) {
    if (model_option.error().code == Errc::kInvalidArgument) {
      return usage_error(args, model_option.error().message);
    }
    return report(model_option.error());
  }
  const std::shared_ptr<const model::Model> model = model_option->model;
  const std::string policy = model_option->policy;
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  std::unique_ptr<stream::Source> source;
  if (kafka_url) {
    auto k = open_kafka_source(*kafka_url, args);
    if (!k.ok()) return report(k.error());
    source = std::move(*k);
  } else {
    auto f = stream::file::FileSource::open(path);
    if (!f.ok()) return report(f.error());
    source = std::move(*f);
  }
  std::unique_ptr<codec::CsvDecoder> csv_decoder;
  if (csv) {
    auto d = codec::CsvDecoder::create(mapping, header);
    if (!d.ok()) return report(d.error());
    csv_decoder = std::move(*d);
    const codec::CsvDecoder* decoder = csv_decoder.get();
    source = std::make_unique<HeaderSkippingSource>(
        std::move(source), [decoder](std::string_view line) { return decoder->is_header(line); });
  } else if (paysim) {
    source = std::make_unique<HeaderSkippingSource>(std::move(source), [](std::string_view line) {
      return codec::PaysimDecoder::is_header(line);
    });
  }

  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock, static_cast<size_t>(*max_bytes));
  auto users = (*store)->load_users();
  if (!users.ok()) return report(users.error());
  processor.load_users(*users);
  auto merchants = (*store)->load_merchants();
  if (!merchants.ok()) return report(merchants.error());
  processor.load_merchants(*merchants);
  std::unique_ptr<OutputFile> labels;
  if (auto labels_path = args.get("labels-out")) {
    auto f = OutputFile::open(*labels_path);
    if (!f.ok()) return report(f.error());
    labels = std::move(*f);
  }
  Status labels_status = Status::Ok();
  auto write_truth = [&](std::string_view id, const codec::RowTruth& t) {
    if (!labels) return;
    codec::append_label_line(&labels->buffer(), id, t.is_fraud, "", t.baseline);
    if (labels_status.ok()) labels_status = labels->maybe_flush();
  };
  if (paysim) processor.read_paysim(*paysim_start, write_truth);
  if (csv) processor.read_rows(std::move(csv_decoder), write_truth);
  apply_model_option(*model_option, processor);

  pipeline::RunnerOptions options;
  options.batch_records = static_cast<size_t>(*batch);
  options.max_batch_age_us = *batch_ms * 1000;
  std::vector<std::unique_ptr<store::Store>> extra_writers;
  for (int64_t i = 1; i < *writers; ++i) {
    auto w = (*store)->open_writer();
    if (!w.ok()) return report(w.error());
    if (!*w) break;  // this store writes with one connection
    options.extra_writers.push_back(w->get());
    extra_writers.push_back(std::move(*w));
  }
  pipeline::RulesMailbox mailbox;
  std::unique_ptr<RulesWatcher> watcher = watch_rules_option(args, *pack, model, mailbox, &options);
  std::unique_ptr<KafkaOutputs> outputs;
  if (auto brokers = args.get("publish")) {
    // Orders (the ecommerce profile) leave as seed 004's engine sends them.
    OutputShape shape;
    shape.orders = args.get_or("profile", "") == "ecommerce" || pack->name() == "ecommerce";
    shape.utc_offset_minutes = pack->utc_offset_minutes();
    auto o = KafkaOutputs::open(*brokers, args, shape);
    if (!o.ok()) return report(o.error());
    outputs = std::move(*o);
    options.sink = outputs.get();
  }
  auto ops = Operations::open(args);
  if (!ops.ok()) return report(ops.error());
  pipeline::Runner runner(*source, **store, processor, clock, options);
  install_stop_handlers();

  StatusLine status(clock, stderr_is_tty());
  const int64_t started_us = clock.monotonic_us();
  Status result = run_with_status(runner, status, clock, 0, (*ops)->observer());
  const double seconds = std::max(1e-3, double(clock.monotonic_us() - started_us) / 1e6);
  if (!result.ok()) return report(result.error());
  if (labels) {
    if (labels_status.ok()) labels_status = labels->flush();
    if (!labels_status.ok()) return report(labels_status.error());
  }
  if (outputs) {
    if (Status s = outputs->finish(); !s.ok()) return report(s.error());
  }
  RunnerSnapshot snap = runner.snapshot();

  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("source").string(source->name());
  w.key("resumed_from").number(snap.resumed_from);
  w.key("records").number(snap.records);
  w.key("facts").number(snap.facts);
  w.key("duplicates").number(snap.duplicates);
  w.key("dead_letters").number(snap.dead_letters);
  w.key("flagged").number(snap.flagged);
  w.key("monitored").number(snap.monitored);
  w.key("alerts").number(snap.alerts);
  w.key("p50_us").number(static_cast<double>(snap.p50_ns) / 1000.0, 2);
  w.key("p99_us").number(static_cast<double>(snap.p99_ns) / 1000.0, 2);
  w.key("rules_version").string(processor.pack().version());
  w.key("rules_reloads").number(snap.rules_swaps);
  w.key("rules_reload_errors").number(watcher ? watcher->errors() : 0);
  w.key("store_retries").number(store::transient_retries());
  if ((*ops)->notifier().enabled()) {
    const notify::Notifier::Stats n = (*ops)->notifier().stats();
    w.key("webhooks").begin_object();
    w.key("sent").number(n.sent);
    w.key("retried").number(n.retried);
    w.key("failed").number(n.failed);
    w.key("dropped").number(n.dropped);
    w.end_object();
  }
  if (outputs) w.key("published").number(outputs->counts().delivered);
  if (const model::Model* m = processor.model()) {
    w.key("model").begin_object();
    w.key("name").string(m->manifest.name);
    w.key("trained_at").string(m->manifest.trained_at);
    w.key("policy").string(policy);
    w.key("scored").number(processor.counters().model_scored);
    w.key("flagged_beyond_rules").number(processor.counters().model_flagged);
    w.key("rule_flags_not_confirmed").number(processor.counters().model_vetoed);
    w.end_object();
  }
  if (auto* kafka = dynamic_cast<stream::kafka::KafkaSource*>(source.get())) {
    stream::kafka::KafkaSource::Metrics m = kafka->metrics();
    w.key("kafka").begin_object();
    w.key("rebalances").number(m.rebalances);
    w.key("fetched").number(m.fetched);
    w.key("offset_commits").number(m.commits);
    w.key("offset_commit_errors").number(m.commit_errors);
    w.key("fetch_rate_per_s").number(double(m.fetched) / seconds, 1);
    w.key("commit_rate_per_s").number(double(m.commits) / seconds, 2);
    int64_t total = 0;
    for (const auto& [partition, behind] : m.lag) total += behind;
    w.key("lag").number(total);
    w.key("lag_by_partition").begin_object();
    for (const auto& [partition, behind] : m.lag) w.key(std::to_string(partition)).number(behind);
    w.end_object();
    w.end_object();
  }
  w.key("interrupted").boolean(stop_flag().load());
  w.end_object();
  if (args.has("json")) {
    std::printf("%s\n", out.c_str());
  } else {
    std::printf(
        "processed %lld records: %lld stored, %lld duplicates, %lld dead letters, "
        "%lld flagged, %lld monitored\n",
        static_cast<long long>(snap.records), static_cast<long long>(snap.facts),
        static_cast<long long>(snap.duplicates), static_cast<long long>(snap.dead_letters),
        static_cast<long long>(snap.flagged), static_cast<long long>(snap.monitored));
  }
  return kExitOk;
}

}  // namespace wf::app
