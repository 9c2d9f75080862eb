// libFuzzer target: the HTTP API's request handling. Each input is a raw request,
//   METHOD target [HTTP/1.1]
//   Name: value            (headers, up to the first blank line; \r\n or \n)
//
//   body                   (the rest)
// handed to Server::handle: what a connection does once Beast has parsed a request (query
// decoding, route matching, {name} decoding, token checks, body checks, the handlers),
// against an SQLite store seeded once with the generator's traffic scored by a Processor.
// Inputs Beast would refuse (a method that is not a token, a target or header with
// control characters) are skipped. Corpus files cannot hold what exists only at run time:
// anywhere in a request $admin, $analyst and $viewer stand for real tokens (from logging
// in at start), $expired for an expired one, $tx for a stored transaction's id, $day for
// the local day of the stored traffic (its marts are built) and $now for the start time.
// Every answer must have a status in [200, 600) and headers without CR, LF or NUL; an
// error must be the API's {"error":{"code":"...","message":"..."}} and never a 500 or a
// failed query (the store is always there); a JSON success must parse. A streamed answer
// (server-sent events) is called once: the hub is closed, so the call returns at once.
// Requests that change the store (case work, the rules file) are undone after success,
// so every input meets the same state. WF_HTTP_FUZZ_TRACE=1 prints each answer.
#include <simdjson.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "api/server.h"
#include "core/arena.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "gen/ph_ewallet.h"
#include "marts/marts.h"
#include "pipeline/processor.h"
#include "rules/pack.h"
#include "store/store.h"

namespace {

using wf::api::Request;
using wf::api::Response;

constexpr const char* kSecret = "fuzz-secret-0123456789abcdef-0123456789";
constexpr int kOffsetMinutes = 480;  // Manila: the ph-ewallet profile's local time
constexpr const char* kResetAlerts =
    "UPDATE fraud_alerts SET status = CASE WHEN alert_id % 2 = 0 THEN 'INVESTIGATING' ELSE"
    " 'NEW' END, investigated_by = NULL, note = NULL, updated_at = created_at";

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "http_fuzz setup: %s\n", why.c_str());
  std::abort();
}

template <typename T>
T must(wf::Result<T> r, const char* what) {
  if (!r.ok()) die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

void must(const wf::Status& s, const char* what) {
  if (!s.ok()) die(std::string(what) + ": " + s.error().message);
}

// Everything the target serves from, built once: a store in a temp directory (removed at
// exit), the server over it, the processor behind POST /api/v1/score, and tokens.
class Fixture {
 public:
  Fixture()
      : dir_(make_dir()),
        clock_(),
        pack_(must(wf::rules::RulePack::builtin("ph-ewallet"), "builtin pack")),
        pii_(must(wf::pipeline::PiiProtector::from_key("fuzz-pii-key-0123456789"), "pii")),
        processor_(pack_, pii_, clock_) {
    wf::log::set_min_level(wf::log::Level::kError);
    const std::string uri = "sqlite:" + (dir_ / "fuzz.db").string();
    store_ = must(wf::store::open_store(uri), "open store");
    rules_file_ = (dir_ / "rules.toml").string();
    write_rules();
    wf::api::ServerOptions options;
    options.store_uri = uri;
    options.port = 0;  // never started: no socket
    options.rules_file = rules_file_;
    server_ = std::make_unique<wf::api::Server>(
        options,
        must(wf::api::Tokens::create(kSecret, "walletflow", 24 * wf::kMicrosPerHour), "tokens"));
    seed();
    server_->set_scorer([this](std::string_view body) { return score(body); });
    for (const auto& [placeholder, user, password] :
         {std::tuple{"$admin", "root", "admin-pass-1"},
          std::tuple{"$analyst", "ana", "analyst-pass"},
          std::tuple{"$viewer", "vic", "viewer-pass"}}) {
      placeholders_.emplace_back(placeholder, login(user, password));
    }
    wf::Instant expires = 0;
    auto issuer =
        must(wf::api::Tokens::create(kSecret, "walletflow", wf::kMicrosPerHour), "issuer");
    placeholders_.emplace_back("$expired",
                               must(issuer.issue("ana", wf::api::Role::kAnalyst,
                                                 clock_.now() - 48 * wf::kMicrosPerHour, &expires),
                                    "expired token"));
  }

  ~Fixture() {
    server_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  wf::api::Server& server() { return *server_; }

  // $admin, $analyst, $viewer, $expired, $tx, $day and $now become what they stand for.
  void substitute(std::string* text) const {
    for (const auto& [name, value] : placeholders_) {
      for (size_t at = text->find(name); at != std::string::npos;
           at = text->find(name, at + value.size())) {
        text->replace(at, name.size(), value);
      }
    }
  }

  // Puts back what a successful request changed.
  void undo(const Request& req, const Response& res) {
    if (res.status != 200) return;
    if (req.method == "PATCH") {
      must(store_->exec_script({kResetAlerts, "DELETE FROM labels"}), "reset alerts");
    } else if (req.method == "PUT") {
      write_rules();
    }
  }

 private:
  static std::filesystem::path make_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "walletflow-http-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp " + pattern);
    return pattern;
  }

  void write_rules() {
    std::ofstream(rules_file_, std::ios::binary | std::ios::trunc)
        << wf::rules::RulePack::builtin_text("ph-ewallet");
  }

  // A few hundred generated events (some fraud, some malformed) scored by the processor
  // and committed, the hub fed and closed, the marts of their day built, job and quality
  // runs, and the API's users.
  void seed() {
    const wf::Instant now = clock_.now();
    wf::gen::SeedOptions so;
    so.users = 200;
    so.merchants = 40;
    so.seed = 11;
    so.now = now;
    dims_ = wf::gen::seed_dimensions(so);
    must(store_->upsert_users(dims_.users), "users");
    must(store_->upsert_merchants(dims_.merchants), "merchants");
    processor_.load_users(dims_.users);
    processor_.load_merchants(dims_.merchants);
    wf::gen::StreamOptions o;
    o.seed = 5;
    o.fraud_rate = 0.1;
    o.bad_rate = 0.02;
    o.start = now - 2 * wf::kMicrosPerHour;
    o.tx_per_user_per_day = 200;
    wf::gen::StreamGenerator generator(dims_, o);
    wf::gen::Label label;
    std::vector<std::string> lines(600);
    wf::store::Batch batch;
    batch.source = "generator";
    batch.received_at = now;
    for (size_t i = 0; i < lines.size(); ++i) {
      generator.next(&lines[i], &label);
      if (!lines[i].empty() && lines[i].back() == '\n') lines[i].pop_back();
      const size_t size = lines[i].size();
      lines[i].append(wf::stream::kRecordPadding, ' ');
      processor_.process(wf::stream::Record(std::string_view(lines[i].data(), size),
                                            static_cast<int64_t>(i), false),
                         &batch, &arena_);
    }
    batch.end_offset = static_cast<int64_t>(lines.size());
    const auto committed = must(store_->commit(batch), "commit");
    if (committed.alerts == 0 || committed.dead_letters == 0) die("no alerts or dead letters");
    const std::string day = wf::format_date(o.start, kOffsetMinutes);
    placeholders_.emplace_back("$tx", std::string(batch.facts.front().transaction_id));
    placeholders_.emplace_back("$day", day);
    placeholders_.emplace_back("$now", wf::format_utc(now));
    server_->hub().publish_batch(batch);
    server_->hub().close();  // a stream's call returns at once
    for (const wf::marts::Mart& m : wf::marts::all_marts()) {
      must(wf::marts::build(*store_, m, day, kOffsetMinutes), "mart");
    }
    must(store_->exec_script({kResetAlerts}), "alerts");
    const std::string at = wf::format_utc(now - wf::kMicrosPerHour);
    for (const char* sql :
         {"INSERT INTO job_runs (job, trigger, attempt, started_at, heartbeat_at, finished_at,"
          " status, rows, error, instance) VALUES ('marts', 'schedule', 1, $1, $1, $1, 'SUCCESS',"
          " 42, NULL, 'fuzz'), ('quality', 'manual', 2, $1, $1, NULL, 'FAILED', NULL, 'boom',"
          " 'fuzz')",
          "INSERT INTO dq_results (run_id, check_name, kind, target, severity, status, observed,"
          " detail, checked_at) VALUES (1, 'facts_fresh', 'freshness', 'fact_transactions',"
          " 'error', 'PASS', 3, 'ok', $1), (1, 'no_nulls', 'not_null', 'fact_transactions',"
          " 'warn', 'WARN', NULL, 'city', $1)"}) {
      must(store_->execute(sql, {at}), "ops rows");
    }
    must(wf::api::put_user(*store_, "root", wf::api::Role::kAdmin, "admin-pass-1", now), "root");
    must(wf::api::put_user(*store_, "ana", wf::api::Role::kAnalyst, "analyst-pass", now), "ana");
    must(wf::api::put_user(*store_, "vic", wf::api::Role::kViewer, "viewer-pass", now), "vic");
    must(wf::api::put_user(*store_, "gone", wf::api::Role::kAdmin, "gone-pass-12", now), "gone");
    must(store_->exec_script({"UPDATE api_users SET disabled = 1 WHERE username = 'gone'"}),
         "disable");
  }

  // A token from POST /api/v1/auth/login, as a client gets one.
  std::string login(const std::string& user, const std::string& password) {
    Request req;
    req.method = "POST";
    req.target = "/api/v1/auth/login";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = R"({"username":")" + user + R"(","password":")" + password + R"("})";
    req.remote_addr = "127.0.0.1";
    const Response res = server_->handle(req);
    simdjson::dom::parser parser;
    std::string_view token;
    if (res.status != 200 || parser.parse(res.body)["token"].get(token)) {
      die("login " + user + ": " + std::to_string(res.status) + " " + res.body);
    }
    return std::string(token);
  }

  // As `serve` wires POST /api/v1/score (app's score_json): the processor's decision.
  wf::Result<std::string> score(std::string_view body) {
    auto scored = processor_.score(body);
    if (!scored.ok()) return scored.take_error();
    std::string out;
    wf::JsonWriter w(&out);
    w.begin_object();
    w.key("decision").string(wf::domain::verdict_name(scored->decision.verdict));
    w.key("score").number(int64_t{scored->decision.score});
    w.key("rules_fired").comma_list(scored->rules_fired);
    w.key("reasons").string(scored->reasons);
    w.key("ruleset_version").string(scored->ruleset_version);
    w.end_object();
    return out;
  }

  std::filesystem::path dir_;
  wf::SystemClock clock_;
  wf::rules::RulePack pack_;
  wf::pipeline::PiiProtector pii_;
  wf::pipeline::Processor processor_;
  wf::gen::Dimensions dims_;
  wf::Arena arena_;
  std::unique_ptr<wf::store::Store> store_;
  std::string rules_file_;
  std::unique_ptr<wf::api::Server> server_;
  std::vector<std::pair<std::string, std::string>> placeholders_;
};

std::unique_ptr<Fixture> fixture;

bool is_tchar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Beast's request-target: no controls, spaces or DEL (bytes >= 0x80 pass).
bool is_target(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool is_field_value(std::string_view s) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

std::string_view next_line(std::string_view* in) {
  const size_t nl = in->find('\n');
  std::string_view line = in->substr(0, nl);
  *in = nl == std::string_view::npos ? std::string_view() : in->substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The request as Beast would hand it over, or false for one it would refuse.
bool parse_raw(std::string_view in, Request* req) {
  std::string_view line = next_line(&in);
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  const std::string_view method = line.substr(0, sp);
  line.remove_prefix(sp + 1);
  const std::string_view target = line.substr(0, line.find(' '));
  if (!is_token(method) || method.size() > 16 || !is_target(target)) return false;
  req->method = std::string(method);
  req->target = std::string(target);
  for (int n = 0; !in.empty(); ++n) {
    line = next_line(&in);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || n >= 32 || !is_token(line.substr(0, colon))) {
      return false;
    }
    const std::string_view value = trim(line.substr(colon + 1));
    if (!is_field_value(value)) return false;
    req->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    fixture->substitute(&req->headers.back().second);
  }
  req->body = std::string(in);
  fixture->substitute(&req->target);
  fixture->substitute(&req->body);
  req->remote_addr = "127.0.0.1";
  return true;
}

[[noreturn]] void fail(const std::string& why, const Request& req, const Response& res) {
  std::fprintf(stderr, "http_fuzz: %s\n  %s %s\n  -> %d %s: %.2000s\n", why.c_str(),
               req.method.c_str(), req.target.c_str(), res.status, res.content_type.c_str(),
               res.body.c_str());
  std::abort();
}

// {"error":{"code":"...","message":"..."}} and nothing else, as Call::error writes it.
bool is_api_error(simdjson::dom::element doc, std::string* message) {
  simdjson::dom::object top, error;
  std::string_view code, text;
  if (doc.get(top) || top.size() != 1 || top["error"].get(error) || error.size() != 2 ||
      error["code"].get(code) || code.empty() || error["message"].get(text)) {
    return false;
  }
  *message = std::string(text);
  return true;
}

void check(const Request& req, Response& res) {
  if (res.status < 200 || res.status >= 600) fail("status out of range", req, res);
  for (const auto& [name, value] : res.headers) {
    if ((name + value).find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      fail("header " + name + " holds CR, LF or NUL", req, res);
    }
  }
  if (res.stream) {
    if (res.content_type != "text/event-stream") fail("stream of another type", req, res);
    std::string sent;
    (void)res.stream([&sent](std::string_view chunk) {
      sent.append(chunk);
      return sent.size() < (1 << 20);
    });
    return;
  }
  static simdjson::dom::parser parser;
  if (res.status >= 400) {
    simdjson::dom::element doc;
    std::string message;
    if (res.content_type != "application/json" || parser.parse(res.body).get(doc) ||
        !is_api_error(doc, &message)) {
      fail("an error that is not the API's JSON error", req, res);
    }
    if (res.status == 500) fail("internal error", req, res);
    if (res.status == 503 && message == "the store is unavailable") {
      fail("a query failed (the store is there)", req, res);
    }
  } else if (res.content_type == "application/json" && parser.parse(res.body).error()) {
    fail("a JSON answer that does not parse", req, res);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = std::make_unique<Fixture>();
  std::atexit([] { fixture.reset(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Request req;
  if (!parse_raw(std::string_view(reinterpret_cast<const char*>(data), size), &req)) return -1;
  Response res = fixture->server().handle(req);
  static const bool trace = std::getenv("WF_HTTP_FUZZ_TRACE") != nullptr;
  if (trace) {  // what each input reaches, when writing corpus files
    std::fprintf(stderr, "%s %s -> %d %.160s\n", req.method.c_str(), req.target.c_str(), res.status,
                 res.body.c_str());
  }
  check(req, res);
  fixture->undo(req, res);
  return 0;
}
