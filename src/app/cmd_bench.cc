// walletflow bench: end-to-end throughput and latency scenarios, printed as JSON.
//   engine:   events already in memory -> decode, validate, enrich, protect, rules, score
//   embedded: a file -> the process pipeline -> SQLite (all tables and indexes), compared
//             with the sqlite3 shell importing the same fact rows as CSV
//   kafka:    generate -> a mock Kafka cluster -> process -> SQLite: sustained throughput,
//             then end-to-end latency (produced -> committed) at a steady 20,000 tx/s
//   api:      POST /api/v1/score over keep-alive connections: requests/s and latency
//   analytics: seed 003's analytics queries over HTTP on a store of 10M transactions
//   paysim:   PaySim CSV rows read by the decoder alone, then read and scored
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "api/server.h"
#include "app/commands.h"
#include "app/common.h"
#include "app/operations.h"
#include "app/output_file.h"
#include "app/rules_watcher.h"
#include "codec/paysim.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/rng.h"
#include "gen/paysim.h"
#include "gen/ph_ewallet.h"
#include "model/model_file.h"
#include "pipeline/runner.h"
#include "store/postgres/pg.h"
#include "store/postgres/pg_cluster.h"
#include "store/sqlite/schema.h"
#include "stream/file/file_source.h"
#include "stream/kafka/kafka_source.h"
#include "stream/kafka/mock_cluster.h"
#include "stream/kafka/producer.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow bench --scenario engine|embedded|kafka|postgres|api|analytics|paysim\n"
    "                        [--events N]\n"
    "                        [--json]\n"
    "\n"
    "options:\n"
    "  --scenario S   engine (in-memory scoring), embedded (file -> SQLite), kafka\n"
    "                 (generate -> mock Kafka cluster -> process -> SQLite) or postgres\n"
    "                 (file -> process -> PostgreSQL, against psql \\copy of the same rows)\n"
    "                 or soak (a steady stream from a million users for --minutes)\n"
    "  --store URI    postgres: an existing server (default: a throwaway cluster);\n"
    "                 analytics: the store to query, built first when empty\n"
    "  --writers N    postgres: connections writing batches at once (default 2)\n"
    "  --connections N  api: keep-alive clients sending POST /api/v1/score (default 64);\n"
    "                 --events is then the number of requests (default 200000)\n"
    "  --events N     events to run (default: engine 1000000, embedded 300000,\n"
    "                 analytics 10000000: the transactions the store holds)\n"
    "  --queries N    analytics: requests per query kind (default 100)\n"
    "  paysim         PaySim CSV rows (1M): the reader alone (paysim_read_rows_per_s),\n"
    "                 then read + scored by the paysim pack (tx_per_s)\n"
    "  --users N      users (default 100000)\n"
    "  --minutes M    soak: how long (default 10); --rate R events/s (default 20000) from\n"
    "                 --users (default 1000000): memory, latency and lag every 10 s;\n"
    "                 exit 1 unless memory stays within 10% after warm-up\n"
    "  --model FILE   engine: also score every event with this model ('walletflow train'\n"
    "                 on ph-ewallet events), as process --model does\n"
    "  --dir PATH     working directory for embedded and analytics (default: a temp dir)\n"
    "  --json         print only the JSON result\n";

double rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct BenchResult {
  std::string scenario;
  int64_t events = 0;
  double seconds = 0;
  uint64_t p50_ns = 0, p99_ns = 0;
  double state_bytes_per_user = 0;
  std::string baseline;             // "sqlite3_shell_import", "psql_copy"
  double baseline_rows_per_s = -1;  // the same rows loaded by the database's own tool
  int64_t stored = 0;
  double e2e_p50_ms = -1, e2e_p99_ms = -1;
  double commit_p50_ms = -1, commit_p99_ms = -1;  // store commit per batch (kafka)
  int64_t steady_events = 0;
  int connections = 0;          // api: keep-alive connections
  int64_t errors = -1;          // api: requests not answered 200
  double read_rows_per_s = -1;  // paysim: the CSV reader alone
};

void print(const BenchResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("scenario").string(r.scenario);
  w.key("events").number(r.events);
  w.key("seconds").number(r.seconds, 3);
  w.key("tx_per_s").number(r.seconds > 0 ? double(r.events) / r.seconds : 0, 0);
  w.key("p50_us").number(double(r.p50_ns) / 1000.0, 2);
  w.key("p99_us").number(double(r.p99_ns) / 1000.0, 2);
  w.key("rss_mb").number(rss_mb(), 1);
  w.key("state_bytes_per_user").number(r.state_bytes_per_user, 1);
  if (r.e2e_p50_ms >= 0) {
    w.key("stored").number(r.stored);
    w.key("steady_tx_per_s").number(20000);
    w.key("steady_events").number(r.steady_events);
    w.key("e2e_p50_ms").number(r.e2e_p50_ms, 1);
    w.key("e2e_p99_ms").number(r.e2e_p99_ms, 1);
    w.key("commit_p50_ms").number(r.commit_p50_ms, 2);
    w.key("commit_p99_ms").number(r.commit_p99_ms, 2);
  }
  if (r.read_rows_per_s >= 0) {
    w.key("paysim_read_rows_per_s").number(r.read_rows_per_s, 0);
    w.key("bad_rows").number(r.errors);
  }
  if (r.connections > 0) {
    w.key("connections").number(int64_t{r.connections});
    w.key("errors").number(r.errors);
  }
  if (r.baseline_rows_per_s >= 0) {
    w.key("stored").number(r.stored);
    w.key(r.baseline + "_rows_per_s").number(r.baseline_rows_per_s, 0);
    w.key("ratio_vs_" + r.baseline)
        .number(
            r.baseline_rows_per_s > 0 ? (double(r.events) / r.seconds) / r.baseline_rows_per_s : 0,
            3);
  }
  w.end_object();
  std::printf("%s\n", out.c_str());
}

gen::Dimensions bench_dims(int64_t users) {
  gen::SeedOptions o;
  o.users = users;
  o.merchants = 2000;
  o.seed = 7;
  o.now = *parse_rfc3339("2026-11-01T00:00:00Z");
  return gen::seed_dimensions(o);
}

// An API server on `uri` at any free port (not started), and an analyst's token for it.
Result<std::unique_ptr<api::Server>> bench_server(const std::string& uri, const Clock& clock,
                                                  std::string* token) {
  api::ServerOptions options;
  options.store_uri = uri;
  options.port = 0;
  auto tokens = api::Tokens::create("bench-secret-0123456789abcdef-0123456789", options.issuer,
                                    kMicrosPerHour);
  if (!tokens.ok()) return tokens.take_error();
  Instant expires = 0;
  auto issued = tokens->issue("bench", api::Role::kAnalyst, clock.now(), &expires);
  if (!issued.ok()) return issued.take_error();
  *token = std::move(*issued);
  return std::make_unique<api::Server>(options, std::move(*tokens));
}

// Records over the lines of `buffer` at `spans`, numbered from 0.
std::vector<stream::Record> records_of(const std::string& buffer,
                                       const std::vector<std::pair<size_t, size_t>>& spans) {
  std::vector<stream::Record> records;
  records.reserve(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    records.push_back({std::string_view(buffer.data() + spans[i].first, spans[i].second),
                       static_cast<int64_t>(i), false});
  }
  return records;
}

// `events` lines of `g` in `buffer` (padded for the decoder), and each line's span.
void generate_lines(gen::StreamGenerator& g, int64_t events, std::string* buffer,
                    std::vector<std::pair<size_t, size_t>>* spans) {
  gen::Label label;
  for (int64_t i = 0; i < events; ++i) {
    size_t b = buffer->size();
    g.next(buffer, &label);
    spans->emplace_back(b, buffer->size() - b - 1);
  }
  buffer->append(stream::kRecordPadding, ' ');
}

int engine(int64_t events, int64_t users, const std::string& model_path, BenchResult* r) {
  gen::Dimensions dims = bench_dims(users);
  gen::StreamOptions so;
  so.seed = 11;
  so.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  gen::StreamGenerator g(dims, so);
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> spans;
  generate_lines(g, events, &buffer, &spans);
  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("ph-ewallet");
  if (!pack.ok()) return report(pack.error());
  // With a model: the rules compiled with its features, each event scored by both.
  std::shared_ptr<const model::Model> model;
  if (!model_path.empty()) {
    auto m = model::load_model(model_path);
    if (!m.ok()) return report(m.error());
    model = std::make_shared<const model::Model>(std::move(*m));
    auto combined = pack_with_model(pack->text(), "builtin:ph-ewallet", *model, model_path);
    if (!combined.ok()) return report(combined.error());
    *pack = std::move(*combined);
  }
  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(dims.users);
  processor.load_merchants(dims.merchants);
  if (model) {
    processor.set_model(model, model->manifest.threshold, model->manifest.confirm_threshold,
                        pipeline::Processor::ModelPolicy::kCombined);
  }
  store::Batch batch;
  Arena arena;
  // Records in batches as a source hands them out, through the same call the Runner uses.
  constexpr size_t kBatch = 8192;
  std::vector<stream::Record> records;
  records.reserve(kBatch);
  int64_t start = clock.monotonic_us();
  for (int64_t i = 0; i < events;) {
    records.clear();
    for (; i < events && records.size() < kBatch; ++i) {
      records.push_back(stream::Record{
          std::string_view(buffer.data() + spans[i].first, spans[i].second), i, false});
    }
    processor.process_all(records, &batch, &arena);
    batch.facts.clear();
    batch.dead_letters.clear();
    batch.dropped_duplicates.clear();
    arena.reset();
  }
  r->seconds = double(clock.monotonic_us() - start) / 1e6;
  r->events = events;
  r->p50_ns = processor.latency_ns().percentile(0.5);
  r->p99_ns = processor.latency_ns().percentile(0.99);
  r->state_bytes_per_user = processor.engine().bytes_per_user();
  return kExitOk;
}

// Resident memory now (VmRSS), MiB.
double current_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// bench --scenario soak: a steady `rate` events/s from `users` distinct users for
// `minutes`, through the same Processor as the stream (decode, validate, enrich, PII
// hashes, rules). Every 10 s: resident memory, the interval's decision latency (p50,
// p99), the users in the rule state and how far behind schedule the stream is. Memory
// must stay flat (within 10%) once warm (99% of the users seen, and the recent-id filter
// turned over twice), p99 stable.
int soak_bench(int64_t users, double rate, double minutes) {
  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("ph-ewallet");
  if (!pack.ok()) return report(pack.error());
  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock);
  Rng rng(17);
  const int64_t total = static_cast<int64_t>(rate * minutes * 60);
  const Instant t0 = *parse_rfc3339("2026-11-01T00:00:00Z");
  // Event time advances 1 ms an event: the windows and the recent-id filter (a horizon of
  // event time) fill and turn over within minutes, whatever the rate.
  const int64_t step_us = 1000;
  const int64_t turnover_events = 2 * processor.pack().horizon_us() / step_us + 1;
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;
  std::vector<stream::Record> records;
  store::Batch batch;
  Arena arena;
  struct Sample {
    double at_s, rss_mb, p50_us, p99_us;
    int64_t events, behind, users;
  };
  std::vector<Sample> samples;
  Histogram last = processor.latency_ns();
  const int64_t start = clock.monotonic_us();
  int64_t next_sample = start + 10'000'000;
  int64_t done = 0;
  install_stop_handlers();
  while (done < total && !stop_flag().load()) {
    const int64_t now = clock.monotonic_us();
    if (now >= next_sample) {
      Histogram h = processor.latency_ns().since(last);
      last = processor.latency_ns();
      const int64_t due = std::min(total, static_cast<int64_t>(double(now - start) / 1e6 * rate));
      samples.push_back({double(now - start) / 1e6, current_rss_mb(),
                         double(h.percentile(0.5)) / 1000.0, double(h.percentile(0.99)) / 1000.0,
                         done, due - done, static_cast<int64_t>(processor.users())});
      next_sample += 10'000'000;
    }
    const int64_t due = std::min(total, static_cast<int64_t>(double(now - start) / 1e6 * rate));
    if (done >= due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    // The events due now, at most 4096: users drawn uniformly from `users`, so every user
    // recurs and the rule state holds all of them.
    text.clear();
    spans.clear();
    const int64_t n = std::min<int64_t>(due - done, 4096);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = done + i;
      const size_t b = text.size();
      char line[400];
      const int len = std::snprintf(
          line, sizeof line,
          R"({"transaction_id":"soak-%lld","event_timestamp":"%s","user_id":"U%08llu",)"
          R"("transaction_type":"payment","amount":"%llu.%02llu","currency":"PHP",)"
          R"("merchant_id":"M%06llu","country":"PH","lat":%.4f,"lon":%.4f,)"
          R"("device_id":"D%llu","ip_address":"10.%llu.%llu.%llu","phone_number":"+6391700%05llu"})",
          static_cast<long long>(k), format_utc(t0 + k * step_us).c_str(),
          static_cast<unsigned long long>(rng.below(static_cast<uint64_t>(users))),
          static_cast<unsigned long long>(50 + rng.below(5000)),
          static_cast<unsigned long long>(rng.below(100)),
          static_cast<unsigned long long>(rng.below(2000)), 14.5 + rng.uniform() * 0.2,
          121.0 + rng.uniform() * 0.2, static_cast<unsigned long long>(rng.below(1'000'000)),
          static_cast<unsigned long long>(rng.below(256)),
          static_cast<unsigned long long>(rng.below(256)),
          static_cast<unsigned long long>(rng.below(256)),
          static_cast<unsigned long long>(rng.below(100'000)));
      text.append(line, static_cast<size_t>(len));
      spans.emplace_back(b, static_cast<size_t>(len));
      text.push_back('\n');
    }
    text.append(stream::kRecordPadding, ' ');
    records = records_of(text, spans);
    processor.process_all(records, &batch, &arena);
    batch.facts.clear();
    batch.dead_letters.clear();
    batch.dropped_duplicates.clear();
    arena.reset();
    done += n;
  }
  // Flat: the largest resident size after warm-up (99% of the users in the state, the
  // recent ids turned over twice) within 10% of the first warm sample.
  size_t warm = samples.size();
  for (size_t i = 0; i < samples.size(); ++i) {
    if (double(samples[i].users) >= 0.99 * double(users) && samples[i].events >= turnover_events) {
      warm = i;
      break;
    }
  }
  double warm_rss = 0, max_rss = 0, max_p99 = 0, first_p99 = 0;
  for (size_t i = warm; i < samples.size(); ++i) {
    if (i == warm) {
      warm_rss = samples[i].rss_mb;
      first_p99 = samples[i].p99_us;
    }
    max_rss = std::max(max_rss, samples[i].rss_mb);
    max_p99 = std::max(max_p99, samples[i].p99_us);
  }
  const double growth = warm_rss > 0 ? (max_rss - warm_rss) / warm_rss : 0;
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("scenario").string("soak");
  w.key("users").number(users);
  w.key("rate").number(rate, 0);
  w.key("events").number(done);
  w.key("users_in_state").number(static_cast<int64_t>(processor.users()));
  w.key("state_bytes_per_user").number(processor.engine().bytes_per_user(), 1);
  w.key("warm_rss_mb").number(warm_rss, 1);
  w.key("max_rss_mb").number(max_rss, 1);
  w.key("rss_growth_after_warmup").number(growth, 4);
  w.key("first_warm_p99_us").number(first_p99, 2);
  w.key("max_p99_us").number(max_p99, 2);
  const bool flat = samples.size() >= warm + 3 && growth <= 0.10;
  w.key("warm_at_s").number(warm < samples.size() ? samples[warm].at_s : -1, 1);
  w.key("flat").boolean(flat);
  w.key("samples").begin_array();
  for (const Sample& s : samples) {
    w.begin_object();
    w.key("at_s").number(s.at_s, 1);
    w.key("events").number(s.events);
    w.key("behind").number(s.behind);
    w.key("users").number(s.users);
    w.key("rss_mb").number(s.rss_mb, 1);
    w.key("p50_us").number(s.p50_us, 2);
    w.key("p99_us").number(s.p99_us, 2);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::printf("%s\n", out.c_str());
  return flat ? kExitOk : kExitFailure;
}

int run_shell(const std::string& script, const std::string& db) {
  std::string cmd = "sqlite3 -batch '" + db + "' < '" + script + "' > /dev/null";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

// Writes `events` generated events to `path` (JSON lines).
Status write_events(const std::string& path, int64_t events, const gen::Dimensions& dims) {
  gen::StreamOptions so;
  so.seed = 11;
  so.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  gen::StreamGenerator g(dims, so);
  auto out = OutputFile::open(path);
  if (!out.ok()) return out.take_error();
  gen::Label label;
  for (int64_t i = 0; i < events; ++i) {
    g.next(&(*out)->buffer(), &label);
    (void)(*out)->maybe_flush();
  }
  return (*out)->flush();
}

// The process pipeline over a file into `store` (dimensions loaded first), timed.
Status process_file(const std::string& path, int64_t events, const gen::Dimensions& dims,
                    store::Store& store, int writers, BenchResult* r) {
  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("ph-ewallet");
  if (!pack.ok()) return pack.take_error();
  WF_RETURN_IF_ERROR(store.upsert_users(dims.users));
  WF_RETURN_IF_ERROR(store.upsert_merchants(dims.merchants));
  SystemClock clock;
  int64_t start = clock.monotonic_us();
  {
    auto source = stream::file::FileSource::open(path);
    if (!source.ok()) return source.take_error();
    pipeline::Processor processor(*pack, *pii, clock);
    auto loaded = store.load_users();
    if (!loaded.ok()) return loaded.take_error();
    processor.load_users(*loaded);
    pipeline::RunnerOptions options;
    std::vector<std::unique_ptr<store::Store>> extra;
    for (int i = 1; i < writers; ++i) {
      auto w = store.open_writer();
      if (!w.ok()) return w.take_error();
      if (!*w) break;
      options.extra_writers.push_back(w->get());
      extra.push_back(std::move(*w));
    }
    pipeline::Runner runner(**source, store, processor, clock, options);
    std::atomic<bool> stop{false};
    WF_RETURN_IF_ERROR(runner.run(stop));
    r->p50_ns = processor.latency_ns().percentile(0.5);
    r->p99_ns = processor.latency_ns().percentile(0.99);
    r->state_bytes_per_user = processor.engine().bytes_per_user();
  }
  r->seconds = double(clock.monotonic_us() - start) / 1e6;
  r->events = events;
  auto counts = store.counts();
  if (!counts.ok()) return counts.take_error();
  r->stored = counts->facts;
  return Status::Ok();
}

int embedded(int64_t events, int64_t users, const std::string& dir_arg, BenchResult* r) {
  namespace fs = std::filesystem;
  fs::path dir = dir_arg.empty() ? fs::temp_directory_path() /
                                       ("walletflow-bench-" + std::to_string(::getpid()))
                                 : fs::path(dir_arg);
  fs::create_directories(dir);
  std::string events_path = (dir / "events.jsonl").string();
  std::string db_path = (dir / "bench.db").string();
  fs::remove(db_path);
  fs::remove(db_path + "-wal");
  gen::Dimensions dims = bench_dims(users);
  if (Status s = write_events(events_path, events, dims); !s.ok()) return report(s.error());
  {
    auto store = store::open_store("sqlite:" + db_path);
    if (!store.ok()) return report(store.error());
    if (Status s = process_file(events_path, events, dims, **store, 1, r); !s.ok()) {
      return report(s.error());
    }
  }

  // The sqlite3 shell importing the very rows we stored, as CSV, into an empty copy of
  // the same table with the same indexes.
  SystemClock clock;
  std::string csv = (dir / "facts.csv").string();
  std::string export_sql = (dir / "export.sql").string();
  std::ofstream(export_sql) << ".mode csv\n.headers off\n.output " << csv
                            << "\nSELECT * FROM fact_transactions;\n";
  if (run_shell(export_sql, db_path) != 0) {
    std::fprintf(stderr, "walletflow bench: sqlite3 shell not available; no comparison\n");
    return kExitOk;
  }
  std::string shell_db = (dir / "shell.db").string();
  fs::remove(shell_db);
  std::string schema_sql = (dir / "schema.sql").string();
  std::ofstream(schema_sql) << "PRAGMA page_size=" << store::sqlite::kPageSize
                            << ";\nPRAGMA journal_mode=WAL;\n"
                            << std::string(store::sqlite::kSchemaSql) << "\n";
  if (run_shell(schema_sql, shell_db) != 0) return kExitFailure;
  std::string import_sql = (dir / "import.sql").string();
  std::ofstream(import_sql) << ".mode csv\n.import " << csv << " fact_transactions\n";
  int64_t s0 = clock.monotonic_us();
  if (run_shell(import_sql, shell_db) != 0) return kExitFailure;
  double shell_seconds = double(clock.monotonic_us() - s0) / 1e6;
  r->baseline_rows_per_s = shell_seconds > 0 ? double(r->stored) / shell_seconds : 0;
  r->baseline = "sqlite3_shell_import";
  if (dir_arg.empty()) fs::remove_all(dir);
  return kExitOk;
}

int run_command(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

// file -> process -> PostgreSQL (a throwaway cluster with PostgreSQL's durable defaults,
// or --store), then `psql \copy` loading the same fact rows as CSV into an empty copy of
// the same partitioned table with the same indexes, on the same server.
int postgres(int64_t events, int64_t users, const std::string& uri_arg, int writers,
             BenchResult* r) {
  namespace fs = std::filesystem;
  std::unique_ptr<store::postgres::PgCluster> cluster;
  std::string uri = uri_arg;
  if (uri.empty()) {
    store::postgres::PgClusterOptions o;
    o.durable = true;
    auto c = store::postgres::PgCluster::start(o);
    if (!c.ok()) return report(c.error());
    cluster = std::move(*c);
    uri = cluster->uri();
  }
  fs::path dir = fs::temp_directory_path() / ("walletflow-bench-pg-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);
  std::string events_path = (dir / "events.jsonl").string();
  gen::Dimensions dims = bench_dims(users);
  if (Status s = write_events(events_path, events, dims); !s.ok()) return report(s.error());
  auto admin = store::postgres::Conn::connect(uri);
  if (!admin.ok()) return report(admin.error());
  for (const char* db : {"wf_bench", "wf_bench_copy"}) {
    if (Status s = admin->exec(std::string("DROP DATABASE IF EXISTS ") + db); !s.ok()) {
      return report(s.error());
    }
    if (Status s = admin->exec(std::string("CREATE DATABASE ") + db); !s.ok()) {
      return report(s.error());
    }
  }
  auto with_db = [&](const std::string& db) {
    // Same server and options, another database.
    size_t slash = uri.find('/', uri.find("://") + 3);
    size_t query = uri.find('?', slash);
    return uri.substr(0, slash + 1) + db + (query == std::string::npos ? "" : uri.substr(query));
  };
  {
    auto store = store::open_store(with_db("wf_bench"));
    if (!store.ok()) return report(store.error());
    if (Status s = process_file(events_path, events, dims, **store, writers, r); !s.ok()) {
      return report(s.error());
    }
  }
  // The baseline: psql's \copy of the stored rows (CSV) into an identical empty table.
  std::string csv = (dir / "facts.csv").string();
  std::string columns =
      "transaction_id, event_ts, user_id, merchant_id, counterparty_id, transaction_type,"
      " amount_minor, currency, amount_php, channel, payment_method, status, country, province,"
      " city, lat, lon, device_id, ip_hash, phone_hash, quantity, fraud_score, fraud_flag,"
      " decision, rules_fired, processing_us, source, source_offset, ruleset_version, reasons,"
      " ingest_seq, product_id";
  if (run_command("psql -q -X '" + with_db("wf_bench") + "' -c \"\\copy (SELECT " + columns +
                  " FROM silver.fact_transactions) TO '" + csv + "' CSV\" >/dev/null") != 0) {
    std::fprintf(stderr, "walletflow bench: psql not available; no comparison\n");
    return kExitOk;
  }
  {
    auto copy_store = store::open_store(with_db("wf_bench_copy"));  // the same schema
    if (!copy_store.ok()) return report(copy_store.error());
  }
  SystemClock clock;
  int64_t s0 = clock.monotonic_us();
  if (run_command("psql -q -X '" + with_db("wf_bench_copy") +
                  "' -c \"\\copy silver.fact_transactions (" + columns + ") FROM '" + csv +
                  "' CSV\" >/dev/null") != 0) {
    return report(make_error(Errc::kIo, "psql \\copy into the baseline table failed"));
  }
  double copy_seconds = double(clock.monotonic_us() - s0) / 1e6;
  r->baseline_rows_per_s = copy_seconds > 0 ? double(r->stored) / copy_seconds : 0;
  r->baseline = "psql_copy";
  fs::remove_all(dir);
  return kExitOk;
}

// Produces `count` generated events to `topic`, keyed by user id; paced at `rate` per
// second when rate > 0.
Status produce(gen::StreamGenerator& g, stream::kafka::Producer& producer, int64_t count,
               double rate, const Clock& clock) {
  std::string line;
  gen::Label label;
  const int64_t start = clock.monotonic_us();
  for (int64_t i = 0; i < count; ++i) {
    if (rate > 0) {
      const int64_t due = start + static_cast<int64_t>(static_cast<double>(i) * 1e6 / rate);
      while (clock.monotonic_us() < due)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    line.clear();
    g.next(&line, &label);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    size_t at = line.find("\"user_id\":\"");
    std::string_view key;
    if (at != std::string::npos) {
      size_t b = at + 11;
      key = std::string_view(line).substr(b, line.find('"', b) - b);
    }
    WF_RETURN_IF_ERROR(producer.send(stream::kafka::kBronzeTopic, key, line));
  }
  return producer.flush(60'000);
}

int kafka(int64_t events, int64_t users, BenchResult* r) {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("walletflow-bench-kafka-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  gen::Dimensions dims = bench_dims(users);
  auto store = store::open_store("sqlite:" + db);
  if (!store.ok()) return report(store.error());
  if (Status s = (*store)->upsert_users(dims.users); !s.ok()) return report(s.error());
  // The mock keeps a few MiB per partition: 48 partitions hold the throughput phase.
  auto cluster = stream::kafka::MockCluster::start(3);
  if (!cluster.ok()) return report(cluster.error());
  if (Status s = (*cluster)->create_walletflow_topics(48); !s.ok()) return report(s.error());
  auto producer = stream::kafka::Producer::open((*cluster)->bootstrap(), {});
  if (!producer.ok()) return report(producer.error());
  stream::kafka::KafkaSourceOptions so;
  so.bootstrap = (*cluster)->bootstrap();
  so.topic = std::string(stream::kafka::kBronzeTopic);
  so.group = "bench";
  auto source = stream::kafka::KafkaSource::open(so);
  if (!source.ok()) return report(source.error());
  if (Status s = (*source)->start(); !s.ok()) return report(s.error());

  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("ph-ewallet");
  if (!pack.ok()) return report(pack.error());
  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(dims.users);
  pipeline::RunnerOptions options;
  options.max_batch_age_us = 10'000;  // a live stream: commit at least every 10 ms
  pipeline::Runner runner(**source, **store, processor, clock, options);
  gen::StreamOptions go;
  go.seed = 11;
  go.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  gen::StreamGenerator g(dims, go);
  // Throughput: the topic is filled first (48 partitions keep it within the mock's
  // retention), then consumed, scored and stored as fast as the pipeline goes, timed
  // from the group's assignment to the last batch committed in the store.
  if (Status s = produce(g, **producer, events, 0, clock); !s.ok()) return report(s.error());
  std::atomic<bool> stop{false};
  Status run_status;
  std::thread consumer([&] { run_status = runner.run(stop); });
  auto wait_for = [&](int64_t n) {  // until n records are committed in the store
    while (runner.snapshot().committed < n && !stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  // The group forms first (a few seconds with the mock's rebalance delay): not timed.
  for (int i = 0; i < 3000 && (*source)->assigned_partitions() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int64_t start = clock.monotonic_us();
  wait_for(events);
  r->seconds = double(clock.monotonic_us() - start) / 1e6;
  r->events = events;
  // Latency at a steady 20,000 tx/s for five seconds.
  const Histogram before = runner.snapshot().end_to_end_ms;
  const Histogram before_commits = runner.snapshot().commit_us;
  r->steady_events = 100'000;
  if (Status s = produce(g, **producer, r->steady_events, 20'000, clock); !s.ok()) {
    return report(s.error());
  }
  wait_for(events + r->steady_events);
  stop.store(true);
  consumer.join();
  if (!run_status.ok()) return report(run_status.error());
  pipeline::RunnerSnapshot snap = runner.snapshot();
  const Histogram steady = snap.end_to_end_ms.since(before);
  r->e2e_p50_ms = double(steady.percentile(0.5));
  r->e2e_p99_ms = double(steady.percentile(0.99));
  const Histogram commits = snap.commit_us.since(before_commits);
  r->commit_p50_ms = double(commits.percentile(0.5)) / 1000.0;
  r->commit_p99_ms = double(commits.percentile(0.99)) / 1000.0;
  r->p50_ns = processor.latency_ns().percentile(0.5);
  r->p99_ns = processor.latency_ns().percentile(0.99);
  r->state_bytes_per_user = processor.engine().bytes_per_user();
  r->stored = (*store)->counts()->facts;
  store->reset();
  source->reset();
  fs::remove_all(dir);
  return kExitOk;
}

}  // namespace

// POST /api/v1/score over HTTP: `connections` keep-alive clients (threads) send `requests`
// events in all, each scored against a state warmed by 200k stream events; the latency is
// each request's, client side.
int api_bench(int64_t requests, int64_t users, int connections, BenchResult* r) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("wf-bench-api-" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};
  const std::string uri = "sqlite:" + (dir / "api.db").string();
  {
    auto store = store::open_store(uri);  // the server's store: migrated, empty
    if (!store.ok()) return report(store.error());
  }
  gen::Dimensions dims = bench_dims(users);
  gen::StreamOptions so;
  so.seed = 13;
  so.start = *parse_rfc3339("2026-11-01T08:00:00Z");
  gen::StreamGenerator g(dims, so);
  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("ph-ewallet");
  if (!pack.ok()) return report(pack.error());
  SystemClock clock;
  pipeline::Processor processor(*pack, *pii, clock);
  processor.load_users(dims.users);
  {  // warm the state the way the stream would
    std::string buffer;
    std::vector<std::pair<size_t, size_t>> spans;
    generate_lines(g, 200'000, &buffer, &spans);
    const std::vector<stream::Record> records = records_of(buffer, spans);
    store::Batch batch;
    Arena arena;
    processor.process_all(records, &batch, &arena);
  }
  std::vector<std::string> bodies;
  {
    std::string line;
    gen::Label label;
    for (int i = 0; i < 20'000; ++i) {
      line.clear();
      g.next(&line, &label);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      if (line.find("\"event_timestamp\"") != std::string::npos) bodies.push_back(line);
    }
  }
  std::mutex mu;
  std::string token;
  auto made = bench_server(uri, clock, &token);
  if (!made.ok()) return report(made.error());
  api::Server& server = **made;
  server.set_scorer([&](std::string_view body) { return score_json(processor, mu, body); });
  if (Status s = server.start(); !s.ok()) return report(s.error());
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> errors{0};
  std::vector<Histogram> latency(static_cast<size_t>(connections));
  std::vector<std::thread> clients;
  const auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      for (int64_t i = next++; i < requests; i = next++) {
        const std::string& body = bodies[static_cast<size_t>(i) % bodies.size()];
        const auto a = std::chrono::steady_clock::now();
        auto res = client.Post("/api/v1/score", headers, body, "application/json");
        const auto b = std::chrono::steady_clock::now();
        if (!res || res->status != 200) {
          if (errors++ == 0) {
            log::warn("bench api: " + (res ? std::to_string(res->status) + " " + res->body
                                           : "no answer: " + httplib::to_string(res.error())));
          }
        }
        latency[static_cast<size_t>(c)].record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count()));
      }
    });
  }
  for (std::thread& t : clients) t.join();
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  server.stop();
  Histogram all;
  for (const Histogram& h : latency) all.merge(h);
  r->events = requests;
  r->p50_ns = all.percentile(0.50);
  r->p99_ns = all.percentile(0.99);
  r->connections = connections;
  r->errors = errors.load();
  return kExitOk;
}

// PaySim's CSV: rows generated in memory, then read (split, parsed, ids hashed) by the
// PaySim decoder alone, then read and scored by the paysim pack (one thread).
int paysim_bench(int64_t rows, BenchResult* r) {
  gen::PaysimOptions o;
  o.count = rows;
  o.seed = 5;
  gen::PaysimGenerator g(o);
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> spans;
  gen::Label label;
  int baseline = 0;
  for (;;) {
    const size_t at = buffer.size();
    if (!g.next(&buffer, &label, &baseline)) break;
    spans.emplace_back(at, buffer.size() - at - 1);
  }
  buffer.append(stream::kRecordPadding, ' ');
  SystemClock clock;
  codec::PaysimDecoder decoder(*parse_rfc3339("2026-01-01T00:00:00Z"), *Currency::from_code("USD"));
  domain::Transaction tx;
  codec::RowTruth truth;
  int64_t bad = 0;
  const int64_t t0 = clock.monotonic_us();
  for (const auto& [at, size] : spans) {
    bad += !decoder.decode(std::string_view(buffer.data() + at, size), &tx, &truth).ok();
  }
  const double read_s = double(clock.monotonic_us() - t0) / 1e6;
  auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
  auto pack = rules::RulePack::builtin("paysim");
  if (!pack.ok()) return report(pack.error());
  pipeline::Processor processor(*pack, *pii, clock);
  processor.read_paysim(*parse_rfc3339("2026-01-01T00:00:00Z"));
  const std::vector<stream::Record> records = records_of(buffer, spans);
  store::Batch batch;
  Arena arena;
  const int64_t t1 = clock.monotonic_us();
  processor.process_all(records, &batch, &arena);
  r->seconds = double(clock.monotonic_us() - t1) / 1e6;
  r->events = rows;
  r->p50_ns = processor.latency_ns().percentile(0.5);
  r->p99_ns = processor.latency_ns().percentile(0.99);
  r->read_rows_per_s = read_s > 0 ? double(rows) / read_s : 0;
  r->errors = bad;
  return kExitOk;
}

// The simulated stream, `count` events of it, as fast as the pipeline takes them.
class CountedSource final : public stream::Source {
 public:
  CountedSource(gen::StreamGenerator& g, int64_t count) : g_(g), count_(count) {}
  const std::string& name() const override { return name_; }
  bool resumable() const override { return false; }
  Status seek(int64_t) override { return Status::Ok(); }
  Status next(stream::RecordBatch* out, size_t max_records) override {
    out->records.clear();
    buffer_.clear();
    spans_.clear();
    generate_lines(g_, std::min(static_cast<int64_t>(max_records), count_ - emitted_), &buffer_,
                   &spans_);
    for (const auto& [at, size] : spans_) {
      out->records.push_back({std::string_view(buffer_.data() + at, size), emitted_++, false});
    }
    out->end_position = emitted_;
    out->end_of_input = emitted_ >= count_;
    return Status::Ok();
  }

 private:
  gen::StreamGenerator& g_;
  int64_t count_;
  int64_t emitted_ = 0;
  std::string name_ = "bench:analytics";
  std::string buffer_;
  std::vector<std::pair<size_t, size_t>> spans_;
};

// Seed 003's analytics queries over HTTP against a store holding `events` scored
// transactions (built first unless the store already holds that many): each query kind
// `queries` times with varying ids, one client; p50/p95/max per kind.
int analytics_bench(int64_t events, int64_t users, const std::string& uri_arg,
                    const std::string& dir_arg, int64_t queries) {
  namespace fs = std::filesystem;
  const fs::path dir = dir_arg.empty() ? fs::temp_directory_path() /
                                             ("wf-bench-analytics-" + std::to_string(getpid()))
                                       : fs::path(dir_arg);
  const bool throwaway = uri_arg.empty() && dir_arg.empty();
  struct Cleanup {
    fs::path d;
    bool on;
    ~Cleanup() {
      std::error_code ec;
      if (on) fs::remove_all(d, ec);
    }
  } cleanup{dir, throwaway};
  std::string uri = uri_arg;
  if (uri.empty()) {
    fs::create_directories(dir);
    uri = "sqlite:" + (dir / "analytics.db").string();
  }
  gen::Dimensions dims = bench_dims(users);
  SystemClock clock;
  double build_seconds = 0;
  int64_t facts = 0;
  std::string kind;
  {
    auto store = store::open_store(uri);
    if (!store.ok()) return report(store.error());
    auto counts = (*store)->counts();
    if (!counts.ok()) return report(counts.error());
    if (counts->facts < events) {
      if (counts->facts > 0) {
        return report(make_error(Errc::kInvalidArgument,
                                 "the store holds " + std::to_string(counts->facts) +
                                     " facts, fewer than --events: give an empty or full one"));
      }
      log::info("bench analytics: building " + std::to_string(events) + " transactions");
      if (Status s = (*store)->upsert_users(dims.users); !s.ok()) return report(s.error());
      if (Status s = (*store)->upsert_merchants(dims.merchants); !s.ok()) return report(s.error());
      auto pii = pipeline::PiiProtector::from_key("bench-key-0123456789abcdef");
      auto pack = rules::RulePack::builtin("ph-ewallet");
      if (!pack.ok()) return report(pack.error());
      gen::StreamOptions so;
      so.seed = 17;
      so.start = *parse_rfc3339("2026-11-01T08:00:00Z");
      gen::StreamGenerator g(dims, so);
      CountedSource source(g, events);
      pipeline::Processor processor(*pack, *pii, clock);
      processor.load_users(dims.users);
      const int64_t start = clock.monotonic_us();
      pipeline::Runner runner(source, **store, processor, clock, {});
      std::atomic<bool> stop{false};
      if (Status s = runner.run(stop); !s.ok()) return report(s.error());
      build_seconds = double(clock.monotonic_us() - start) / 1e6;
      counts = (*store)->counts();
      if (!counts.ok()) return report(counts.error());
    }
    facts = counts->facts;
    kind = std::string((*store)->kind());
  }

  std::string token;
  auto made = bench_server(uri, clock, &token);
  if (!made.ok()) return report(made.error());
  api::Server& server = **made;
  if (Status s = server.start(); !s.ok()) return report(s.error());
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  client.set_read_timeout(60, 0);
  const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  // A cursor from the first page, for the second-page query.
  std::string cursor;
  if (auto first = client.Get("/api/v1/analytics/transactions?limit=50", headers)) {
    const size_t at = first->body.find("\"next_cursor\":\"");
    if (at != std::string::npos) {
      cursor = first->body.substr(at + 15, first->body.find('"', at + 15) - at - 15);
    }
  }
  Rng rng(5);
  auto user = [&] { return dims.users[rng.below(dims.users.size())].user_id; };
  auto merchant = [&] { return dims.merchants[rng.below(dims.merchants.size())].merchant_id; };
  auto hour = [&] {
    const Instant at = *parse_rfc3339("2026-11-01T08:00:00Z") +
                       static_cast<int64_t>(rng.below(72)) * kMicrosPerHour;
    return "from=" + format_utc(at) + "&to=" + format_utc(at + kMicrosPerHour);
  };
  const std::string tx = "/api/v1/analytics/transactions?";
  const std::string alerts = "/api/v1/analytics/fraud-alerts?";
  const std::vector<std::pair<std::string, std::function<std::string()>>> kinds = {
      {"transactions", [&] { return tx + "limit=50"; }},
      {"transactions_next_page", [&] { return tx + "limit=50&cursor=" + cursor; }},
      {"transactions_by_user", [&] { return tx + "user_id=" + user(); }},
      {"transactions_by_merchant", [&] { return tx + "merchant_id=" + merchant(); }},
      {"transactions_flagged", [&] { return tx + "decision=FLAG"; }},
      {"transactions_min_score_60", [&] { return tx + "min_score=60"; }},
      {"transactions_type_channel", [&] { return tx + "type=transfer&channel=WEB"; }},
      {"transactions_one_hour", [&] { return tx + hour(); }},
      {"fraud_alerts", [&] { return alerts + "limit=50"; }},
      {"fraud_alerts_new", [&] { return alerts + "status=NEW"; }},
      {"fraud_alerts_rule", [&] { return alerts + "rule=R001"; }},
      {"user_profile", [&] { return "/api/v1/users/" + user(); }},
      {"merchant_profile", [&] { return "/api/v1/merchants/" + merchant(); }},
      {"stats_overview", [&] { return std::string("/api/v1/stats/overview"); }},
  };
  std::string out;
  JsonWriter w(&out);
  w.begin_object();
  w.key("scenario").string("analytics");
  w.key("store").string(kind);
  w.key("facts").number(facts);
  if (build_seconds > 0) w.key("build_tx_per_s").number(double(facts) / build_seconds, 0);
  w.key("queries").begin_array();
  double worst = 0;
  int64_t errors = 0;
  for (const auto& [name, path] : kinds) {
    std::vector<double> ms;
    for (int64_t i = 0; i < queries; ++i) {
      const std::string p = path();
      const auto a = std::chrono::steady_clock::now();
      auto res = client.Get(p.c_str(), headers);
      const auto b = std::chrono::steady_clock::now();
      if (!res || res->status != 200) {
        if (errors++ == 0)
          log::warn("bench analytics: " + p + ": " + (res ? res->body : "no answer"));
      }
      ms.push_back(std::chrono::duration<double, std::milli>(b - a).count());
    }
    std::sort(ms.begin(), ms.end());
    const double p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
    worst = std::max(worst, p95);
    w.begin_object();
    w.key("name").string(name);
    w.key("p50_ms").number(ms[ms.size() / 2], 2);
    w.key("p95_ms").number(p95, 2);
    w.key("max_ms").number(ms.back(), 2);
    w.end_object();
  }
  w.end_array();
  w.key("worst_p95_ms").number(worst, 2);
  w.key("errors").number(errors);
  w.end_object();
  server.stop();
  std::printf("%s\n", out.c_str());
  return errors == 0 ? kExitOk : kExitFailure;
}

int cmd_bench(int argc, char** argv) {
  Args args(kUsage);
  args.option("scenario")
      .option("events")
      .option("users")
      .option("dir")
      .option("store")
      .option("writers")
      .option("connections")
      .option("queries")
      .option("model")
      .option("minutes")
      .option("rate")
      .option("json", true);
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  std::string scenario = args.get_or("scenario", "");
  if (scenario != "engine" && scenario != "embedded" && scenario != "kafka" &&
      scenario != "postgres" && scenario != "api" && scenario != "analytics" &&
      scenario != "paysim" && scenario != "soak") {
    return usage_error(args,
                       "--scenario must be 'engine', 'embedded', 'kafka', 'postgres', 'api', "
                       "'analytics', 'paysim' or 'soak'");
  }
  if (scenario == "soak") {
    auto minutes = args.get_double("minutes", 10, 0.5, 7 * 24 * 60);
    if (!minutes.ok()) return usage_error(args, minutes.error().message);
    auto rate = args.get_double("rate", 20'000, 1, 10'000'000);
    if (!rate.ok()) return usage_error(args, rate.error().message);
    auto soak_users = args.get_int("users", 1'000'000, 1, 50'000'000);
    if (!soak_users.ok()) return usage_error(args, soak_users.error().message);
    return soak_bench(*soak_users, *rate, *minutes);
  }
  const int64_t default_events = scenario == "engine" || scenario == "paysim" ? 1'000'000
                                 : scenario == "analytics"                    ? 10'000'000
                                 : scenario == "kafka" || scenario == "api"   ? 200'000
                                                                              : 300'000;
  auto events = args.get_int("events", default_events, 1, 1'000'000'000);
  if (!events.ok()) return usage_error(args, events.error().message);
  auto users = args.get_int("users", 100'000, 1, 50'000'000);
  if (!users.ok()) return usage_error(args, users.error().message);
  auto writers = args.get_int("writers", 2, 1, 8);
  if (!writers.ok()) return usage_error(args, writers.error().message);
  if (scenario == "analytics") {
    auto queries = args.get_int("queries", 100, 1, 100'000);
    if (!queries.ok()) return usage_error(args, queries.error().message);
    return analytics_bench(*events, *users, args.get_or("store", ""), args.get_or("dir", ""),
                           *queries);
  }
  BenchResult r;
  r.scenario = scenario;
  auto connections = args.get_int("connections", 64, 1, 1024);
  if (!connections.ok()) return usage_error(args, connections.error().message);
  int rc = scenario == "paysim"   ? paysim_bench(*events, &r)
           : scenario == "api"    ? api_bench(*events, *users, static_cast<int>(*connections), &r)
           : scenario == "engine" ? engine(*events, *users, args.get_or("model", ""), &r)
           : scenario == "kafka"  ? kafka(*events, *users, &r)
           : scenario == "postgres"
               ? postgres(*events, *users, args.get_or("store", ""), static_cast<int>(*writers), &r)
               : embedded(*events, *users, args.get_or("dir", ""), &r);
  if (rc != kExitOk) return rc;
  print(r);
  return kExitOk;
}

}  // namespace wf::app
