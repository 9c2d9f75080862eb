#include "api/server.h"

#include <httplib.h>
#include <simdjson.h>
#include <sodium.h>

#include <charconv>
#include <chrono>
#include <regex>

#include "api/call.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/thread.h"

namespace wf::api {

StorePool::Lease::~Lease() {
  if (pool_ == nullptr || !store_) return;
  std::lock_guard lock(pool_->mu_);
  pool_->idle_.push_back(std::move(store_));
}

Result<StorePool::Lease> StorePool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(s));
    }
  }
  auto s = store::open_store(uri_);
  if (!s.ok()) return s.take_error();
  return Lease(this, std::move(*s));
}

// --- Call ----------------------------------------------------------------------------

simdjson::dom::parser& Call::parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

void Call::json(int code, std::string body) {
  status = code;
  res.status = code;
  res.set_content(std::move(body), "application/json");
}

void Call::error(int code, std::string_view error_code, const std::string& message) {
  std::string out;
  JsonWriter w(&out);
  w.begin_object().key("error").begin_object();
  w.key("code").string(error_code).key("message").string(message);
  w.end_object().end_object();
  json(code, std::move(out));
}

std::optional<std::string> Call::query(const std::string& name) const {
  if (!req.has_param(name.c_str())) return std::nullopt;
  return req.get_param_value(name.c_str());
}

std::string Call::path(const std::string& name) const {
  // The route's {names} in order are the regex's groups.
  static const std::regex kName(R"(\{([a-z_]+)\})");
  size_t group = 1;
  for (auto it = std::sregex_iterator(route.path.begin(), route.path.end(), kName);
       it != std::sregex_iterator(); ++it, ++group) {
    if ((*it)[1] == name && group < req.matches.size()) return req.matches[group].str();
  }
  return {};
}

store::Store& Call::db() {
  if (!lease_) {
    auto l = server_.pool_.acquire();
    if (!l.ok()) throw StoreUnavailable(l.error().message);
    lease_.emplace(std::move(*l));
  }
  return **lease_;
}

std::optional<int64_t> Call::int_param(const std::string& name, int64_t fallback, int64_t lo,
                                       int64_t hi) {
  auto text = query(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < lo || v > hi) {
    error(400, "bad_request",
          "'" + name + "' must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return std::nullopt;
  }
  return v;
}

std::optional<std::optional<std::string>> Call::time_param(const std::string& name) {
  auto text = query(name);
  if (!text) return std::optional<std::string>();
  auto t = parse_rfc3339(*text);
  if (!t.ok()) {
    error(400, "bad_request", "'" + name + "' must be an RFC 3339 time");
    return std::nullopt;
  }
  return std::optional<std::string>(format_utc(*t));
}

std::string_view Call::body_string(std::string_view field) const {
  std::string_view v;
  if (body.is_object() && !body[field].get(v)) return v;
  return {};
}

bool Call::body_has(std::string_view field) const {
  return body.is_object() && !body[field].error();
}

void Call::audit(const std::string& action, const std::string& target, const std::string& detail) {
  server_.audit(*this, action, target, detail);
}

// --- Server --------------------------------------------------------------------------

Server::Server(ServerOptions options, Tokens tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)), pool_(options_.store_uri) {
  add_routes();
}

Server::~Server() { stop(); }

void Server::audit(Call& call, const std::string& action, const std::string& target,
                   const std::string& detail) {
  const std::string who = call.claims ? call.claims->username : "-";
  const std::string role = call.claims ? std::string(role_name(call.claims->role)) : "-";
  auto n = call.db().execute(
      "INSERT INTO " + store::table_name(call.db().kind(), "audit_log") +
          " (at, username, role, action, target, detail, remote_addr) VALUES ($1, $2, $3, $4, $5,"
          " $6, $7)",
      {format_utc(SystemClock().now()), who, role, action, target, detail, call.req.remote_addr});
  if (!n.ok()) log::warn("api: audit log: " + n.error().message);
}

Result<Claims> Server::verify_cached(std::string_view token) {
  // A client sends the same token with every request: each serving thread remembers the
  // last one it verified (until it expires), sparing the signature check.
  thread_local std::string last_token;
  thread_local Claims last_claims;
  thread_local const Server* last_server = nullptr;
  const Instant now = SystemClock().now();
  if (last_server == this && token == last_token && now < last_claims.expires_at) {
    return last_claims;
  }
  auto claims = tokens_.verify(token, now);
  if (claims.ok()) {
    last_token = std::string(token);
    last_claims = *claims;
    last_server = this;
  }
  return claims;
}

void Server::dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) {
  const auto started = std::chrono::steady_clock::now();
  Call call(*this, route, req, res);
  try {
    bool ok = true;
    // Unknown query parameters are refused: a typo must not silently widen a filter.
    for (const auto& [name, value] : req.params) {
      bool known = false;
      for (const Param& p : route.query) known |= p.name == name;
      if (!known) {
        call.error(400, "bad_request", "unknown parameter '" + name + "'");
        ok = false;
        break;
      }
    }
    if (ok && route.role) {
      const std::string header = req.get_header_value("Authorization");
      if (!header.starts_with("Bearer ")) {
        res.set_header("WWW-Authenticate", "Bearer");
        call.error(401, "unauthorized", "a bearer token is required");
        ok = false;
      } else if (auto claims =
                     tokens_.verify(std::string_view(header).substr(7), SystemClock().now());
                 !claims.ok()) {
        res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        call.error(401, "unauthorized", claims.error().message);
        ok = false;
      } else if (claims->role < *route.role) {
        call.claims = *claims;
        call.error(403, "forbidden",
                   "this needs the " + std::string(role_name(*route.role)) + " role");
        ok = false;
      } else {
        call.claims = *claims;
      }
    }
    if (ok && !route.body.empty()) {
      const std::string type = req.get_header_value("Content-Type");
      if (!type.starts_with("application/json")) {
        call.error(415, "unsupported_media_type", "send the body as application/json");
        ok = false;
      } else if (Call::parser().parse(req.body).get(call.body) || !call.body.is_object()) {
        call.error(400, "bad_request", "the body must be a JSON object");
        ok = false;
      } else {
        for (auto field : call.body.get_object()) {
          bool known = false;
          for (const std::string& f : route.body) known |= f == field.key;
          if (!known) {
            call.error(400, "bad_request", "unknown field '" + std::string(field.key) + "'");
            ok = false;
            break;
          }
        }
      }
    }
    if (ok) route.handler(call);
  } catch (const StoreUnavailable& e) {
    log::warn(std::string("api: store unavailable: ") + e.what());
    call.error(503, "unavailable", "the store is unavailable");
  } catch (const std::exception& e) {
    log::error(std::string("api: ") + route.method + " " + route.path + ": " + e.what());
    call.error(500, "internal", "internal error");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.record(route.path, route.method, call.status, seconds);
}

Status Server::start() {
  http_ = std::make_unique<httplib::Server>();
  const int threads = options_.threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_read_timeout(static_cast<time_t>(options_.read_timeout_us / kMicrosPerSecond),
                          static_cast<time_t>(options_.read_timeout_us % kMicrosPerSecond));
  http_->set_keep_alive_max_count(100'000);
  http_->set_tcp_nodelay(true);  // small answers go out at once (no Nagle + delayed ACK)
  http_->set_keep_alive_timeout(30);
  for (const Route& route : routes_) {
    // "/api/v1/alerts/{id}" -> "/api/v1/alerts/([^/]+)" (httplib routes are regexes).
    std::string pattern = std::regex_replace(route.path, std::regex(R"(\{([a-z_]+)\})"), "([^/]+)");
    auto h = [this, &route](const httplib::Request& req, httplib::Response& res) {
      dispatch(route, req, res);
    };
    if (route.method == "GET") http_->Get(pattern, h);
    if (route.method == "POST") http_->Post(pattern, h);
    if (route.method == "PATCH") http_->Patch(pattern, h);
    if (route.method == "PUT") http_->Put(pattern, h);
  }
  http_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* code = res.status == 404   ? "not_found"
                       : res.status == 413 ? "payload_too_large"
                       : res.status == 405 ? "method_not_allowed"
                                           : "bad_request";
    const char* message = res.status == 404   ? "no such route"
                          : res.status == 413 ? "the body is too large"
                          : res.status == 405 ? "method not allowed"
                                              : "bad request";
    std::string out;
    JsonWriter w(&out);
    w.begin_object().key("error").begin_object();
    w.key("code").string(code).key("message").string(message);
    w.end_object().end_object();
    res.set_content(out, "application/json");
  });
  port_ = options_.port == 0
              ? http_->bind_to_any_port(options_.host)
              : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0) {
    return make_error(Errc::kIo,
                      "cannot listen on " + options_.host + ":" + std::to_string(options_.port));
  }
  thread_ = spawn_quiet_thread([this] { http_->listen_after_bind(); });
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void Server::stop() {
  hub_.close();  // streams end, so their threads return to the pool
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace wf::api
