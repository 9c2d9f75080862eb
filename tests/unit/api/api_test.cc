// The HTTP API on a real loopback server over each store: auth and roles, the bad
// requests a hostile client sends, pagination, PII masking with its audit trail, case
// work that becomes labels, and an OpenAPI document that matches the routes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "api/server.h"
#include "core/json_writer.h"
#include "marts/marts.h"
#include "rules/pack.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace wf::api {
namespace {

constexpr const char* kSecret = "test-secret-0123456789abcdef-0123456789";
// Two days ago at 02:00 UTC (10:00 in Manila): recent enough for /stats/overview's window.
const Instant kBase =
    (SystemClock().now() / kMicrosPerDay - 2) * kMicrosPerDay + 2 * kMicrosPerHour;
const std::string kDay = format_date(kBase, 480);

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    uri_ = wf::testing::fresh_store_uri(GetParam(), dir_);
    ASSERT_FALSE(uri_.empty());
    store_ = std::move(store::open_store(uri_)).value();
    // 30 transactions of two users, every third flagged (rows view ids_: no reallocation).
    ids_.reserve(30);
    store::Batch b;
    b.source = "stdin";
    b.end_offset = 30;
    for (int i = 0; i < 30; ++i) {
      ids_.push_back("tx-" + std::to_string(100 + i));
      store::FactRow f;
      f.transaction_id = ids_.back();
      f.event_ts = kBase + i * kMicrosPerMinute;
      f.user_id = i % 2 == 0 ? "U1" : "U2";
      f.merchant_id = "M1";
      f.transaction_type = "payment";
      f.amount_minor = 100000 + i;
      f.currency = "PHP";
      f.amount_php = f.amount_minor;
      f.channel = "APP";
      f.status = "SUCCESS";
      f.city = "Makati";
      f.device_id = "device-abcdef";
      f.ip_hash = "iphash";
      f.phone_hash = "phonehash";
      f.verdict = i % 3 == 0 ? domain::Verdict::kFlag : domain::Verdict::kNormal;
      f.fraud_score = i % 3 == 0 ? 85 : 0;
      f.rules_fired = i % 3 == 0 ? "R001" : "";
      f.alert_type = "R001 high_amount_night";
      f.source_offset = i;
      b.facts.push_back(f);
    }
    ASSERT_TRUE(store_->commit(b).ok());
    domain::User u;
    u.user_id = "U1";
    u.full_name = "Juan dela Cruz";
    u.home_province = "Metro Manila";
    u.kyc_level = 2;
    u.account_status = "active";
    ASSERT_TRUE(store_->upsert_users(std::span(&u, 1)).ok());
    domain::Merchant m;
    m.merchant_id = "M1";
    m.merchant_name = "Sari-sari";
    m.category = "Food";
    ASSERT_TRUE(store_->upsert_merchants(std::span(&m, 1)).ok());
    ASSERT_TRUE(put_user(*store_, "ana", Role::kAnalyst, "analyst-pass", kBase).ok());
    ASSERT_TRUE(put_user(*store_, "vic", Role::kViewer, "viewer-pass", kBase).ok());
    ASSERT_TRUE(put_user(*store_, "root", Role::kAdmin, "admin-pass1", kBase).ok());
    ServerOptions o;
    o.store_uri = uri_;
    rules_file_ = dir_.file("rules.toml");
    std::ofstream(rules_file_) << rules::RulePack::builtin_text("ph-ewallet");
    o.rules_file = rules_file_;
    o.port = 0;
    o.threads = 8;
    o.read_timeout_us = kMicrosPerSecond;
    server_ = std::make_unique<Server>(o, *Tokens::create(kSecret, "walletflow", kMicrosPerHour));
    ASSERT_TRUE(server_->start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  std::string login(const std::string& user, const std::string& password, int* status = nullptr) {
    auto r = client_->Post("/api/v1/auth/login",
                           R"({"username":")" + user + R"(","password":")" + password + R"("})",
                           "application/json");
    if (status != nullptr) *status = r ? r->status : -1;
    if (!r || r->status != 200) return {};
    simdjson::dom::parser p;
    std::string_view token;
    return p.parse(r->body)["token"].get(token) ? std::string() : std::string(token);
  }

  httplib::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  // status and body of GET path with the token.
  std::pair<int, std::string> get(const std::string& path, const std::string& token) {
    auto r = client_->Get(path.c_str(), bearer(token));
    return r ? std::pair{r->status, r->body} : std::pair{-1, std::string()};
  }

  std::pair<int, std::string> patch(const std::string& path, const std::string& token,
                                    const std::string& body) {
    auto r = client_->Patch(path.c_str(), bearer(token), body, "application/json");
    return r ? std::pair{r->status, r->body} : std::pair{-1, std::string()};
  }

  std::string error_code(const std::string& body) {
    simdjson::dom::parser p;
    std::string_view code;
    return p.parse(body)["error"]["code"].get(code) ? "?" : std::string(code);
  }

  int64_t count(const std::string& table, const std::string& where = "") {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->query_text("SELECT COUNT(*) FROM " + store::table_name(GetParam(), table) +
                                     (where.empty() ? "" : " WHERE " + where),
                                 [&](const auto& r) { n = std::stoll(std::string(r[0])); })
                    .ok());
    return n;
  }

  wf::testing::TempDir dir_;
  std::string uri_;
  std::string rules_file_;
  std::unique_ptr<store::Store> store_;
  std::vector<std::string> ids_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

// A token signed with `key` and this header and payload (base64url of both).
std::string forge(const std::string& header, const std::string& payload, const std::string& key) {
  auto b64 = [](const std::string& s) {
    std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                    '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                      s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(strlen(out.c_str()));
    return out;
  };
  std::string signing = b64(header) + "." + b64(payload);
  if (key.empty()) return signing + ".";
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signing.data()),
                                signing.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return signing + "." + b64(std::string(reinterpret_cast<char*>(mac), sizeof mac));
}

TEST_P(ApiTest, TokensAndRolesGateEveryRoute) {
  EXPECT_EQ(get("/health", "").first, 200);
  EXPECT_EQ(get("/ready", "").first, 200);
  const std::string ana = login("ana", "analyst-pass");
  const std::string vic = login("vic", "viewer-pass");
  ASSERT_FALSE(ana.empty());
  ASSERT_FALSE(vic.empty());
  auto me = get("/api/v1/auth/me", vic);
  EXPECT_EQ(me.first, 200);
  EXPECT_NE(me.second.find(R"("role":"viewer")"), std::string::npos);

  auto no_token = client_->Get("/api/v1/auth/me");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  EXPECT_EQ(error_code(no_token->body), "unauthorized");
  EXPECT_EQ(no_token->get_header_value("WWW-Authenticate"), "Bearer");

  const long exp = static_cast<long>(SystemClock().now() / kMicrosPerSecond + 600);
  const std::string claims =
      R"({"iss":"walletflow","sub":"mallory","role":"admin","exp":)" + std::to_string(exp) + "}";
  // The right shape, the wrong key; "none"; another algorithm; another issuer; expired.
  for (const std::string& token :
       {forge(R"({"alg":"HS256","typ":"JWT"})", claims, "not-the-secret-not-the-secret-xx"),
        forge(R"({"alg":"none","typ":"JWT"})", claims, ""),
        forge(R"({"alg":"none","typ":"JWT"})", claims, kSecret),
        forge(R"({"alg":"HS512","typ":"JWT"})", claims, kSecret),
        forge(R"({"alg":"HS256","typ":"JWT"})",
              R"({"iss":"other","sub":"mallory","role":"admin","exp":)" + std::to_string(exp) + "}",
              kSecret),
        forge(R"({"alg":"HS256","typ":"JWT"})",
              R"({"iss":"walletflow","sub":"mallory","role":"admin","exp":1000})", kSecret),
        ana.substr(0, ana.size() - 2) + (ana.back() == 'A' ? "BB" : "AA"), std::string("garbage"),
        std::string(5000, 'x')}) {
    auto r = get("/api/v1/auth/me", token);
    EXPECT_EQ(r.first, 401) << token;
    EXPECT_EQ(error_code(r.second), "unauthorized") << r.second;
  }
  // A genuine token of the right key passes: the forging helper is sound.
  EXPECT_EQ(get("/api/v1/auth/me", forge(R"({"alg":"HS256","typ":"JWT"})", claims, kSecret)).first,
            200);
  // A viewer may read, not work cases.
  EXPECT_EQ(get("/api/v1/analytics/fraud-alerts", vic).first, 200);
  // Scoring needs the stream's state: a serve without it says so.
  auto score =
      client_->Post("/api/v1/score", bearer(ana), R"({"transaction_id":"t"})", "application/json");
  ASSERT_TRUE(score);
  EXPECT_EQ(score->status, 503);
  auto viewer_score =
      client_->Post("/api/v1/score", bearer(vic), R"({"transaction_id":"t"})", "application/json");
  ASSERT_TRUE(viewer_score);
  EXPECT_EQ(viewer_score->status, 403);
  auto forbidden = patch("/api/v1/alerts/1", vic, R"({"status":"INVESTIGATING"})");
  EXPECT_EQ(forbidden.first, 403);
  EXPECT_EQ(error_code(forbidden.second), "forbidden");
}

TEST_P(ApiTest, FailedLoginsAreLimited) {
  int status = 0;
  EXPECT_TRUE(login("ana", "wrong", &status).empty());
  EXPECT_EQ(status, 401);
  EXPECT_TRUE(login("nobody", "whatever", &status).empty());
  EXPECT_EQ(status, 401);
  for (int i = 0; i < 4; ++i) login("ana", "wrong");  // five failures for ana
  EXPECT_TRUE(login("ana", "wrong", &status).empty());
  EXPECT_EQ(status, 429);
  EXPECT_TRUE(login("ana", "analyst-pass", &status).empty());  // even the right password
  EXPECT_EQ(status, 429);
  EXPECT_FALSE(login("vic", "viewer-pass", &status).empty());  // others from this address
  EXPECT_EQ(status, 200);
  EXPECT_GE(count("audit_log", "action = 'login_failed'"), 6);
}

TEST_P(ApiTest, TransactionsPageThroughEverythingOnceMaskedForViewers) {
  const std::string vic = login("vic", "viewer-pass");
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  std::string last_ts = "9999";
  do {
    auto r =
        get("/api/v1/analytics/transactions?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor),
            vic);
    ASSERT_EQ(r.first, 200) << r.second;
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(r.second);
    for (simdjson::dom::element tx : doc["data"].get_array()) {
      std::string id{std::string_view(tx["transaction_id"])};
      EXPECT_TRUE(seen.insert(id).second) << id;
      std::string ts{std::string_view(tx["event_ts"])};
      EXPECT_LT(ts, last_ts);  // newest first
      last_ts = ts;
      EXPECT_TRUE(tx["phone_hash"].is_null());
      EXPECT_EQ(std::string_view(tx["device_id"]), "***cdef");
      EXPECT_EQ(std::string_view(tx["city"]), "***");
    }
    std::string_view next;
    cursor = doc["next_cursor"].get(next) ? "" : std::string(next);
    ++pages;
  } while (!cursor.empty() && pages < 20);
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(count("audit_log", "action = 'read_pii'"), 0);

  const std::string ana = login("ana", "analyst-pass");
  auto r = get("/api/v1/analytics/transactions?user_id=U1&decision=FLAG&min_score=60", ana);
  ASSERT_EQ(r.first, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(r.second);
  EXPECT_EQ(doc["data"].get_array().size(), 5u);  // i = 0, 6, 12, 18, 24
  EXPECT_EQ(std::string_view(doc["data"].at(0)["phone_hash"]), "phonehash");
  EXPECT_EQ(std::string_view(doc["data"].at(0)["device_id"]), "device-abcdef");
  EXPECT_EQ(count("audit_log", "action = 'read_pii' AND username = 'ana'"), 1);
  auto window = get(
      "/api/v1/analytics/transactions?from=" + format_utc(kBase + 10 * kMicrosPerMinute) +
          "&to=" + format_rfc3339_offset(kBase + 20 * kMicrosPerMinute, 480).replace(23, 1, "%2B"),
      ana);
  ASSERT_EQ(window.first, 200);
  EXPECT_EQ(p.parse(window.second)["data"].get_array().size(), 10u);
}

TEST_P(ApiTest, HostileRequestsGetA4xxAndChangeNothing) {
  const std::string ana = login("ana", "analyst-pass");
  const int64_t facts = count("fact_transactions");
  for (const char* injection : {"' OR '1'='1", "U1'; DROP TABLE fact_transactions; --",
                                "\" OR 1=1 --", "U1%00", "*", "%27%20OR%201%3D1"}) {
    for (const char* filter : {"user_id", "merchant_id", "type", "channel", "decision"}) {
      auto r = get(std::string("/api/v1/analytics/transactions?") + filter + "=" +
                       httplib::detail::encode_query_param(injection),
                   ana);
      EXPECT_TRUE(r.first == 400 ||
                  (r.first == 200 && r.second.find("\"data\":[]") != std::string::npos))
          << filter << "=" << injection << ": " << r.first << " " << r.second;
    }
    for (const char* filter : {"min_score", "limit", "from", "to", "cursor"}) {
      auto r = get(std::string("/api/v1/analytics/transactions?") + filter + "=" +
                       httplib::detail::encode_query_param(injection),
                   ana);
      EXPECT_EQ(r.first, 400) << filter << "=" << injection;
      EXPECT_EQ(error_code(r.second), "bad_request");
    }
    for (const char* filter : {"status", "rule", "min_score", "cursor"}) {
      auto r = get(std::string("/api/v1/analytics/fraud-alerts?") + filter + "=" +
                       httplib::detail::encode_query_param(injection),
                   ana);
      EXPECT_EQ(r.first, 400) << filter << "=" << injection;
    }
  }
  EXPECT_EQ(count("fact_transactions"), facts);
  EXPECT_EQ(get("/api/v1/analytics/transactions?colour=red", ana).first, 400);
  EXPECT_EQ(get("/api/v1/analytics/transactions?limit=100000", ana).first, 400);
  // Bodies: malformed, not an object, unknown field, wrong type, wrong media type, huge.
  EXPECT_EQ(patch("/api/v1/alerts/1", ana, "{not json").first, 400);
  EXPECT_EQ(patch("/api/v1/alerts/1", ana, "[1,2]").first, 400);
  auto unknown = patch("/api/v1/alerts/1", ana, R"({"status":"INVESTIGATING","admin":true})");
  EXPECT_EQ(unknown.first, 400);
  EXPECT_NE(unknown.second.find("unknown field 'admin'"), std::string::npos);
  EXPECT_EQ(patch("/api/v1/alerts/1", ana, R"({"status":7})").first, 400);
  EXPECT_EQ(patch("/api/v1/alerts/abc", ana, R"({"status":"INVESTIGATING"})").first, 400);
  EXPECT_EQ(patch("/api/v1/alerts/99999", ana, R"({"status":"INVESTIGATING"})").first, 404);
  auto text = client_->Patch("/api/v1/alerts/1", bearer(ana), "status=x", "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  auto huge = client_->Patch("/api/v1/alerts/1", bearer(ana), std::string(200'000, ' '),
                             "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  // Paths: unknown routes, traversal, marts that do not exist.
  for (const char* path : {"/api/v1/nope", "/../../etc/passwd", "/api/v1/marts/..%2F..%2Fetc",
                           "/api/v1/marts/mart_nope?date=2026-11-25"}) {
    auto r = get(path, ana);
    EXPECT_EQ(r.first, 404) << path;
    EXPECT_EQ(r.second.find("root:"), std::string::npos);
    EXPECT_NE(r.second.find("\"error\""), std::string::npos) << path << " " << r.second;
  }
  EXPECT_EQ(get("/api/v1/marts/mart_fraud_alerts?date=yesterday", ana).first, 400);
  EXPECT_EQ(get("/health", "").first, 200);  // still serving
}

// Found by tests/fuzz/http_fuzz: what an answer quotes back must stay UTF-8, or the JSON
// does not parse. A query name or value or a path segment that decodes to other bytes is
// refused like a broken escape; a stray multi-byte character in a rule is quoted whole.
// Seen while writing it: a forged cursor's bytes must not reach the store either
// (PostgreSQL refused them, and the answer was a 503).
TEST_P(ApiTest, AnswersStayJsonWhateverBytesTheRequestHolds) {
  const std::string ana = login("ana", "analyst-pass");
  const std::string root = login("root", "admin-pass1");
  client_->set_url_encode(false);  // the bytes as written here
  for (const char* path : {"/api/v1/ops/jobs?%E4imit=5", "/api/v1/ops/jobs?\xE4imit=5",
                           "/api/v1/ops/jobs?limit=%C0%AF", "/api/v1/ops/jobs?limit=%ED%A0%80"}) {
    auto r = get(path, ana);
    EXPECT_EQ(r.first, 400) << path;
    EXPECT_EQ(error_code(r.second), "bad_request") << path << ": " << r.second;
  }
  for (const std::string& raw :
       {std::string("2026-11-24T02:00:00Z|\xFF"), std::string("2026-11-24T02:00:00Z|tx\0", 24)}) {
    std::string cursor(
        sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(cursor.data(), cursor.size(),
                      reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    auto r = get("/api/v1/analytics/transactions?cursor=" + std::string(cursor.c_str()), ana);
    EXPECT_EQ(r.first, 400) << r.second;
    EXPECT_EQ(error_code(r.second), "bad_request");
  }
  auto segment = get("/api/v1/marts/mart_%FF?date=2026-11-25", ana);
  EXPECT_EQ(segment.first, 404);
  EXPECT_EQ(error_code(segment.second), "not_found") << segment.second;
  auto utf8 = get("/api/v1/marts/mart_%E2%82%B1?date=2026-11-25", ana);  // UTF-8 is fine
  EXPECT_EQ(utf8.first, 404);
  EXPECT_NE(utf8.second.find("no mart named 'mart_\u20B1'"), std::string::npos) << utf8.second;

  std::string toml(rules::RulePack::builtin_text("ph-ewallet"));
  toml.replace(toml.find("amount >= PHP 50000"), 19, "amount >= \u20B150000");
  std::string body;
  JsonWriter(&body).begin_object().key("toml").string(toml).end_object();
  auto put = client_->Put("/api/v1/rules", bearer(root), body, "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 400);
  EXPECT_EQ(error_code(put->body), "invalid_rules") << put->body;
  EXPECT_NE(put->body.find("unexpected character '\u20B1'"), std::string::npos) << put->body;
}

TEST_P(ApiTest, ASlowClientIsCutOffWithoutStoppingOthers) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const char partial[] = "GET /health HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_GT(write(fd, partial, sizeof partial - 1), 0);
  EXPECT_EQ(get("/health", "").first, 200);  // others are served meanwhile
  char buf[256];
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // After the read timeout (1 s, well before this socket's 5 s) the server gives up on
  // the request with a 4xx.
  ssize_t n = read(fd, buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  buf[n] = '\0';
  EXPECT_EQ(std::string(buf).substr(0, 10), "HTTP/1.1 4") << buf;
  close(fd);
}

TEST_P(ApiTest, CaseWorkFollowsItsStatesAndBecomesLabels) {
  const std::string ana = login("ana", "analyst-pass");
  auto list = get("/api/v1/analytics/fraud-alerts?status=NEW&rule=R001&limit=2", ana);
  ASSERT_EQ(list.first, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(list.second);
  ASSERT_EQ(doc["data"].get_array().size(), 2u);
  const int64_t id = int64_t(doc["data"].at(0)["alert_id"]);
  const std::string tx{std::string_view(doc["data"].at(0)["transaction_id"])};
  const std::string path = "/api/v1/alerts/" + std::to_string(id);

  auto early = patch(path, ana, R"({"status":"CONFIRMED"})");
  EXPECT_EQ(early.first, 409);
  EXPECT_EQ(error_code(early.second), "illegal_transition");
  auto start = patch(path, ana, R"({"status":"INVESTIGATING","note":"calling the customer"})");
  ASSERT_EQ(start.first, 200) << start.second;
  EXPECT_NE(start.second.find(R"("investigated_by":"ana")"), std::string::npos);
  auto done = patch(path, ana, R"({"status":"CONFIRMED","note":"customer did not pay"})");
  ASSERT_EQ(done.first, 200) << done.second;
  EXPECT_NE(done.second.find(R"("note":"customer did not pay")"), std::string::npos);
  EXPECT_EQ(patch(path, ana, R"({"status":"DISMISSED"})").first, 409);  // final
  EXPECT_EQ(count("labels", "transaction_id = '" + tx + "' AND pattern = 'analyst:R001'"), 1);
  EXPECT_EQ(count("audit_log", "action LIKE 'alert_%' AND username = 'ana'"), 2);
  auto confirmed = get("/api/v1/analytics/fraud-alerts?status=CONFIRMED", ana);
  EXPECT_EQ(p.parse(confirmed.second)["data"].get_array().size(), 1u);
  // Pages of alerts by cursor.
  auto page1 = get("/api/v1/analytics/fraud-alerts?limit=6", ana);
  simdjson::dom::element d1 = p.parse(page1.second);
  std::string_view next;
  ASSERT_FALSE(d1["next_cursor"].get(next));
  simdjson::dom::parser p2;
  auto page2 = get("/api/v1/analytics/fraud-alerts?limit=6&cursor=" + std::string(next), ana);
  EXPECT_EQ(p2.parse(page2.second)["data"].get_array().size(), 4u);  // 10 alerts in all
}

TEST_P(ApiTest, MartsAreServedByName) {
  const std::string vic = login("vic", "viewer-pass");
  EXPECT_EQ(get("/api/v1/marts/mart_fraud_daily_saved_amount?date=" + kDay, vic).first, 404);
  ASSERT_TRUE(
      marts::build(*store_, *marts::find_mart("mart_fraud_daily_saved_amount"), kDay, 480).ok());
  auto r = get("/api/v1/marts/mart_fraud_daily_saved_amount?date=" + kDay, vic);
  ASSERT_EQ(r.first, 200) << r.second;
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(r.second);
  EXPECT_EQ(std::string_view(doc["columns"].at(1)), "flagged_count");
  EXPECT_EQ(std::string_view(doc["rows"].at(0).at(1)), "10");
}

TEST_P(ApiTest, TheOpenApiDocumentMatchesTheRoutes) {
  auto r = get("/openapi.json", "");
  ASSERT_EQ(r.first, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(r.second);
  EXPECT_EQ(std::string_view(doc["openapi"]), "3.1.0");
  size_t operations = 0;
  for (auto [path, item] : doc["paths"].get_object()) {
    for (auto [method, op] : item.get_object()) {
      ++operations;
      bool served = false;
      for (const Route& route : server_->routes()) {
        std::string m = route.method;
        for (char& c : m) c = static_cast<char>(std::tolower(c));
        served |= route.path == path && m == method;
      }
      EXPECT_TRUE(served) << method << " " << path;
      // Served for real: the request reaches the route, not the 404 of no route.
      std::string concrete(path);
      for (std::string var : {"{id}", "{name}"}) {
        if (auto at = concrete.find(var); at != std::string::npos)
          concrete.replace(at, var.size(), "1");
      }
      httplib::Result res =
          method == "get"    ? client_->Get(concrete.c_str())
          : method == "post" ? client_->Post(concrete.c_str(), "{}", "application/json")
          : method == "put"  ? client_->Put(concrete.c_str(), "{}", "application/json")
                             : client_->Patch(concrete.c_str(), "{}", "application/json");
      ASSERT_TRUE(res);
      EXPECT_TRUE(res->body.find("\"no such route\"") == std::string::npos)
          << method << " " << path;
    }
  }
  EXPECT_EQ(operations, server_->routes().size());
}

TEST_P(ApiTest, UsersMerchantsAndTheOverview) {
  const std::string vic = login("vic", "viewer-pass");
  const std::string ana = login("ana", "analyst-pass");
  simdjson::dom::parser p;
  auto viewer = get("/api/v1/users/U1", vic);
  ASSERT_EQ(viewer.first, 200) << viewer.second;
  simdjson::dom::element u = p.parse(viewer.second);
  EXPECT_EQ(std::string_view(u["full_name"]), "***");
  EXPECT_EQ(int64_t(u["risk"]["transactions"]), 15);
  EXPECT_EQ(int64_t(u["risk"]["flagged"]), 5);  // i = 0, 6, 12, 18, 24
  EXPECT_EQ(std::string_view(u["risk"]["level"]), "high");
  EXPECT_EQ(u["recent"].get_array().size(), 15u);
  simdjson::dom::parser p2;
  simdjson::dom::element ua = p2.parse(get("/api/v1/users/U1", ana).second);
  EXPECT_EQ(std::string_view(ua["full_name"]), "Juan dela Cruz");
  EXPECT_EQ(count("audit_log", "action = 'read_pii' AND target = 'user U1'"), 1);
  EXPECT_EQ(get("/api/v1/users/U404", vic).first, 404);
  EXPECT_EQ(get("/api/v1/users/U1'--", vic).first, 400);

  simdjson::dom::parser p3;
  auto merchant = get("/api/v1/merchants/M1", vic);
  ASSERT_EQ(merchant.first, 200) << merchant.second;
  simdjson::dom::element m = p3.parse(merchant.second);
  EXPECT_EQ(int64_t(m["risk"]["transactions"]), 30);
  EXPECT_EQ(int64_t(m["risk"]["customers"]), 2);
  EXPECT_EQ(int64_t(m["risk"]["flagged"]), 10);
  EXPECT_EQ(m["recent"].get_array().size(), 20u);

  simdjson::dom::parser p4;
  auto stats = get("/api/v1/stats/overview?minutes=10080", vic);
  ASSERT_EQ(stats.first, 200) << stats.second;
  simdjson::dom::element o = p4.parse(stats.second);
  EXPECT_EQ(int64_t(o["transactions"]), 30);
  EXPECT_EQ(int64_t(o["flagged"]), 10);
  EXPECT_EQ(int64_t(o["open_alerts"]), 10);
  EXPECT_EQ(get("/api/v1/stats/overview?minutes=0", vic).first, 400);
}

TEST_P(ApiTest, TheStreamSendsCommittedDecisionsAndAlertsAsServerSentEvents) {
  store::Batch b;
  for (int i = 0; i < 6; ++i) {
    store::FactRow f;
    f.transaction_id = ids_[static_cast<size_t>(i)];
    f.user_id = i < 3 ? "U1" : "U2";
    f.transaction_type = "payment";
    f.verdict = i % 3 == 0 ? domain::Verdict::kFlag : domain::Verdict::kNormal;
    f.fraud_score = i % 3 == 0 ? 85 : 0;
    f.alert_type = "R001 high_amount_night";
    b.facts.push_back(f);
  }
  server_->hub().publish_batch(b);           // as run does after each commit
  EXPECT_EQ(server_->hub().last_seq(), 8u);  // 6 decisions, 2 alerts
  const std::string vic = login("vic", "viewer-pass");
  auto read = [&](const std::string& path, int events) {
    std::string got;
    httplib::Headers h = bearer(vic);
    h.emplace("Last-Event-ID", "0");  // from the start of what the hub holds
    client_->Get(path.c_str(), h, [&](const char* data, size_t n) {
      got.append(data, n);
      size_t seen = 0;
      for (size_t at = got.find("\n\n"); at != std::string::npos; at = got.find("\n\n", at + 2)) {
        ++seen;
      }
      return seen < static_cast<size_t>(events);
    });
    return got;
  };
  const std::string alerts = read("/api/v1/stream?types=alert", 2);
  EXPECT_NE(alerts.find("event: alert\ndata: {\"transaction_id\":\"tx-100\""), std::string::npos)
      << alerts;
  EXPECT_NE(alerts.find("tx-103"), std::string::npos);
  EXPECT_EQ(alerts.find("event: decision"), std::string::npos);
  const std::string u2 = read("/api/v1/stream?types=decision&user_id=U2", 3);
  EXPECT_NE(u2.find("id: 5\nevent: decision"), std::string::npos) << u2;  // tx-103
  EXPECT_EQ(u2.find("tx-100"), std::string::npos);
  EXPECT_EQ(get("/api/v1/stream", "").first, 401);
  EXPECT_EQ(get("/api/v1/stream?types=gossip", vic).first, 400);
  // The live figures (`run` publishes them once a second) only to who asks for them.
  server_->hub().publish({0, "stats", "", 0, "", R"({"total":6})"});
  const std::string stats = read("/api/v1/stream?types=stats", 1);
  EXPECT_NE(stats.find("id: 9\nevent: stats\ndata: {\"total\":6}"), std::string::npos) << stats;
  EXPECT_EQ(read("/api/v1/stream?types=decision", 6).find("event: stats"), std::string::npos);
}

TEST_P(ApiTest, AlertAndTransactionDetailsSeriesAndOperations) {
  const std::string vic = login("vic", "viewer-pass");
  const std::string ana = login("ana", "analyst-pass");
  // An alert with its transaction: masked for a viewer, whole (and audited) for an analyst.
  auto masked = get("/api/v1/alerts/1", vic);
  ASSERT_EQ(masked.first, 200) << masked.second;
  EXPECT_NE(masked.second.find("\"alert\":{\"alert_id\":1,\"transaction_id\":\"tx-100\""),
            std::string::npos)
      << masked.second;
  EXPECT_NE(masked.second.find("\"device_id\":\"***cdef\""), std::string::npos);
  EXPECT_NE(masked.second.find("\"masked\":true"), std::string::npos);
  const int64_t audits = count("audit_log", "action = 'read_pii'");
  auto whole = get("/api/v1/alerts/1", ana);
  ASSERT_EQ(whole.first, 200);
  EXPECT_NE(whole.second.find("\"device_id\":\"device-abcdef\""), std::string::npos);
  EXPECT_EQ(count("audit_log", "action = 'read_pii'"), audits + 1);
  EXPECT_EQ(get("/api/v1/alerts/999", vic).first, 404);
  EXPECT_EQ(get("/api/v1/alerts/x1", vic).first, 400);
  auto tx = get("/api/v1/transactions/tx-103", vic);
  ASSERT_EQ(tx.first, 200);
  EXPECT_NE(tx.second.find("\"transaction\":{\"transaction_id\":\"tx-103\""), std::string::npos);
  EXPECT_EQ(get("/api/v1/transactions/tx-999", vic).first, 404);
  EXPECT_EQ(get("/api/v1/transactions/a'b", vic).first, 400);

  // Per minute over three days: the 30 transactions, one a minute, 10 flagged.
  auto series = get("/api/v1/stats/series?minutes=4320", vic);
  ASSERT_EQ(series.first, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(series.second);
  int64_t points = 0, transactions = 0, flagged = 0;
  for (auto point : doc["points"].get_array()) {
    ++points;
    transactions += int64_t(point["transactions"]);
    flagged += int64_t(point["flagged"]);
  }
  EXPECT_EQ(points, 30);
  EXPECT_EQ(transactions, 30);
  EXPECT_EQ(flagged, 10);
  EXPECT_EQ(get("/api/v1/stats/series?minutes=0", vic).first, 400);

  // Operations: dead letters by code without their records, job runs, the latest checks.
  store::Batch b;
  b.source = "stdin";
  b.end_offset = 32;
  b.dead_letters.push_back({30, Errc::kMalformedJson, "not JSON", "{oops", "stdin"});
  b.dead_letters.push_back({31, Errc::kBadAmount, "bad amount", "{\"amount\":\"x\"}", "stdin"});
  ASSERT_TRUE(store_->commit(b).ok());
  const std::string runs = store::table_name(GetParam(), "job_runs");
  ASSERT_TRUE(store_
                  ->execute("INSERT INTO " + runs +
                                " (job, trigger, attempt, started_at, heartbeat_at, finished_at,"
                                " status, rows, instance) VALUES ('gold_marts_today', 'schedule',"
                                " 1, $1, $1, $1, 'SUCCESS', 42, 'test')",
                            {format_utc(kBase)})
                  .ok());
  const std::string dq = store::table_name(GetParam(), "dq_results");
  for (const char* row : {"(1, 'old_check', 'sql', 't', 'error', 'FAIL', 1, 'x', $1)",
                          "(2, 'facts_unique', 'unique', 'fact_transactions', 'error', 'PASS', 0,"
                          " 'ok', $1)"}) {
    ASSERT_TRUE(store_
                    ->execute("INSERT INTO " + dq +
                                  " (run_id, check_name, kind, target, severity, status, observed,"
                                  " detail, checked_at) VALUES " +
                                  row,
                              {format_utc(kBase)})
                    .ok());
  }
  auto dead = get("/api/v1/ops/dead-letters", vic);
  ASSERT_EQ(dead.first, 200);
  EXPECT_NE(dead.second.find("{\"code\":\"MALFORMED_JSON\",\"count\":1}"), std::string::npos)
      << dead.second;
  EXPECT_NE(dead.second.find("\"code\":\"BAD_AMOUNT\""), std::string::npos);
  EXPECT_EQ(dead.second.find("oops"), std::string::npos);  // the record stays out
  auto jobs = get("/api/v1/ops/jobs", vic);
  ASSERT_EQ(jobs.first, 200);
  EXPECT_NE(jobs.second.find("\"job\":\"gold_marts_today\",\"trigger\":\"schedule\""),
            std::string::npos)
      << jobs.second;
  EXPECT_NE(jobs.second.find("\"rows\":42"), std::string::npos);
  auto quality = get("/api/v1/ops/quality", vic);
  ASSERT_EQ(quality.first, 200);
  EXPECT_NE(quality.second.find("\"check\":\"facts_unique\""), std::string::npos);
  EXPECT_EQ(quality.second.find("old_check"), std::string::npos);  // only the latest run
}

TEST_P(ApiTest, MetricsPassPromtool) {
  const std::string vic = login("vic", "viewer-pass");
  get("/api/v1/analytics/fraud-alerts?limit=3", vic);
  get("/api/v1/analytics/transactions?colour=red", vic);  // a 400 to count
  store::Batch dead;
  dead.source = "stdin";
  dead.end_offset = 40;
  dead.dead_letters = {{31, Errc::kBadAmount, "bad", "{}", {}},
                       {32, Errc::kMalformedJson, "bad", "{", {}}};
  ASSERT_TRUE(store_->commit(dead).ok());
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  const std::string& text = r->body;
  EXPECT_NE(
      text.find(
          R"(walletflow_api_requests_total{route="/api/v1/analytics/transactions",method="GET",status="400"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(walletflow_dead_letters{code="BAD_AMOUNT"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(walletflow_alerts{rule="R001",status="NEW"} 10)"), std::string::npos);
  EXPECT_NE(text.find("walletflow_api_request_duration_seconds_bucket{route=\"/api/v1/auth/"
                      "login\",le=\"+Inf\"} 1"),
            std::string::npos);
  const std::string path = dir_.file("metrics.txt");
  std::ofstream(path) << text;
  const int rc = std::system(
      ("promtool check metrics < " + path + " > " + dir_.file("promtool.txt") + " 2>&1").c_str());
  std::ifstream log(dir_.file("promtool.txt"));
  std::string said((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << "promtool (Debian package prometheus) says: " << said;
}

TEST_P(ApiTest, RulesWithLivePrecisionAndValidatedReplacement) {
  const std::string vic = login("vic", "viewer-pass");
  const std::string ana = login("ana", "analyst-pass");
  const std::string root = login("root", "admin-pass1");
  // An analyst's verdicts make R001's precision.
  ASSERT_EQ(patch("/api/v1/alerts/1", ana, R"({"status":"INVESTIGATING"})").first, 200);
  ASSERT_EQ(patch("/api/v1/alerts/1", ana, R"({"status":"DISMISSED"})").first, 200);
  ASSERT_EQ(patch("/api/v1/alerts/2", ana, R"({"status":"INVESTIGATING"})").first, 200);
  ASSERT_EQ(patch("/api/v1/alerts/2", ana, R"({"status":"CONFIRMED"})").first, 200);
  auto got = get("/api/v1/rules", vic);
  ASSERT_EQ(got.first, 200) << got.second;
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.parse(got.second);
  EXPECT_EQ(std::string_view(doc["source"]), "file:" + rules_file_);
  EXPECT_TRUE(bool(doc["editable"]));
  const std::string version{std::string_view(doc["version"])};
  simdjson::dom::element r001 = doc["rules"].at(0);
  EXPECT_EQ(std::string_view(r001["id"]), "R001");
  EXPECT_EQ(int64_t(r001["alerts"]), 10);
  EXPECT_EQ(int64_t(r001["confirmed"]), 1);
  EXPECT_DOUBLE_EQ(double(r001["precision"]), 0.5);
  EXPECT_TRUE(doc["rules"].at(1)["precision"].is_null());

  std::string text(rules::RulePack::builtin_text("ph-ewallet"));
  auto body = [](const std::string& toml) {
    std::string out;
    JsonWriter w(&out);
    w.begin_object().key("toml").string(toml).end_object();
    return out;
  };
  auto put = [&](const std::string& token, const std::string& b) {
    auto r = client_->Put("/api/v1/rules", bearer(token), b, "application/json");
    return r ? std::pair{r->status, r->body} : std::pair{-1, std::string()};
  };
  EXPECT_EQ(put(vic, body(text)).first, 403);
  EXPECT_EQ(put(ana, body(text)).first, 403);
  std::string broken = text;
  broken.replace(broken.find("score = 85"), 10, "score = 850");
  auto refused = put(root, body(broken));
  EXPECT_EQ(refused.first, 400);
  EXPECT_EQ(error_code(refused.second), "invalid_rules");
  EXPECT_NE(refused.second.find("rules:"), std::string::npos) << refused.second;  // file:line
  std::string edited = text;
  edited.replace(edited.find("score = 85"), 10, "score = 80");
  auto accepted = put(root, body(edited));
  ASSERT_EQ(accepted.first, 200) << accepted.second;
  std::ifstream in(rules_file_);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            edited);  // running processes watching the file reload it
  simdjson::dom::parser p2;
  EXPECT_NE(std::string_view(p2.parse(get("/api/v1/rules", vic).second)["version"]), version);
  EXPECT_EQ(count("audit_log", "action = 'rules_replace' AND username = 'root'"), 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(Passwords, Argon2idHashesVerifyOnlyTheirPassword) {
  auto h = hash_password("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(*h, "correct horse"));
  EXPECT_FALSE(verify_password(*h, "correct horsE"));
  EXPECT_NE(*h, *hash_password("correct horse"));  // salted
}

TEST(PercentDecode, RefusesBrokenEscapesNulAndBytesThatAreNotUtf8) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%20b+c%E2%82%B1", true, &out));
  EXPECT_EQ(out, "a b c\u20B1");
  EXPECT_TRUE(percent_decode("a+b", false, &out));
  EXPECT_EQ(out, "a+b");
  for (const char* bad :
       {"%", "%2", "%zz", "%00", "%E4", "\xE4", "%C0%AF", "%ED%A0%80", "%F4%90%80%80"}) {
    EXPECT_FALSE(percent_decode(bad, true, &out)) << bad;
  }
  NameValues params;
  EXPECT_TRUE(parse_query("a=1&&b=x%20y&c", &params));
  EXPECT_EQ(params, (NameValues{{"a", "1"}, {"b", "x y"}, {"c", ""}}));
  params.clear();
  EXPECT_FALSE(parse_query("a=1&%E4=2", &params));
}

TEST(Tokens, ShortSecretsAreRefused) {
  EXPECT_FALSE(Tokens::create("short", "walletflow", kMicrosPerHour).ok());
}

}  // namespace
}  // namespace wf::api
