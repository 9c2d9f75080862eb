// The HTTP API (`walletflow serve`, and inside `run`): seed 003's REST endpoints over the
// store, with JWT auth and roles, JSON errors, Prometheus metrics and an OpenAPI 3.1
// document generated from the same route table that serves the requests, so the two
// cannot disagree. Boost.Beast serves from an event loop (a thread per core): requests
// that answer from memory (health, scoring, token checks) are served on the loop itself;
// those that read or write the store run on a pool of handler threads, each borrowing a
// store connection from a pool (store objects are not shared between threads).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/auth.h"
#include "api/event_hub.h"
#include "api/http.h"
#include "api/metrics.h"
#include "core/result.h"
#include "store/store.h"

namespace wf::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::string store_uri;
  int threads = 16;    // handler threads for requests that use the store
  int io_threads = 0;  // event-loop threads; 0: one per core
  size_t max_body_bytes = 64 * 1024;
  int64_t token_ttl_us = 8 * kMicrosPerHour;
  std::string issuer = "walletflow";
  int64_t read_timeout_us = 5 * kMicrosPerSecond;         // slow clients are cut off (408)
  int64_t keep_alive_timeout_us = 30 * kMicrosPerSecond;  // idle connections are closed
  int64_t ready_max_lag = 1'000'000;                      // /ready fails above this source lag
  // The rules GET/PUT /api/v1/rules show and replace: a file (PUT writes it; every
  // process watching it reloads) or, when empty, the built-in pack of `profile`.
  std::string rules_file;
  std::string profile = "ph-ewallet";
};

// A pool of store connections, one per request at a time.
class StorePool {
 public:
  explicit StorePool(std::string uri) : uri_(std::move(uri)) {}
  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<store::Store> s) : pool_(pool), store_(std::move(s)) {}
    Lease(Lease&&) = default;
    ~Lease();
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };
  Result<Lease> acquire();

 private:
  std::string uri_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Store>> idle_;
};

struct Param {
  std::string name;
  std::string type;  // string, integer, number
  std::string description;
  bool required = false;
};

class Call;
using Handler = std::function<void(Call&)>;

struct Route {
  std::string method;        // GET, POST, PATCH, PUT
  std::string path;          // "/api/v1/alerts/{id}"
  std::optional<Role> role;  // nullopt: anyone
  std::string summary;
  std::vector<Param> query;
  std::vector<std::string> body;  // the fields a JSON body may have
  Handler handler;
  // Answers from memory in microseconds without touching the store: served on the event
  // loop itself rather than handed to a handler thread.
  bool fast = false;
};

class Server {
 public:
  Server(ServerOptions options, Tokens tokens);
  ~Server();

  // Binds and serves on threads of its own; port() tells which port.
  Status start();
  void stop();
  int port() const { return port_; }

  // One request as the transport hands it over (method, target, headers, body and
  // remote_addr set), answered on the calling thread through the same steps a connection
  // takes: find_route, then dispatch. A streamed answer comes back with `stream` set and
  // not yet called. For tests and the fuzz target: no socket, no threads.
  Response handle(Request req);

  const std::vector<Route>& routes() const { return routes_; }
  std::string openapi() const;
  ApiMetrics& metrics() { return metrics_; }
  // Live decisions and alerts for /api/v1/stream; `run` publishes each committed batch.
  EventHub& hub() { return hub_; }
  // Extra Prometheus text appended to /metrics (the pipeline's, in `run`).
  void set_extra_metrics(std::function<std::string()> f) { extra_metrics_ = std::move(f); }
  void set_source_lag(std::function<int64_t()> f) { source_lag_ = std::move(f); }
  // POST /api/v1/score: the event JSON in, the decision's JSON out (an error's code is a
  // dead-letter code: 400). Set by the process that holds the stream's state (`run`).
  using Scorer = std::function<Result<std::string>(std::string_view event_json)>;
  void set_scorer(Scorer f) { scorer_ = std::move(f); }

  struct Transport;  // the sockets and threads (server.cc)

 private:
  friend class Call;
  friend class Session;
  void add_routes();
  // The route for a request: its target split into req.path and the decoded req.params,
  // its {names} decoded into req.matches. Otherwise nullptr with the answer in res (400
  // for a broken query, 404, 405, or a dashboard file).
  const Route* find_route(Request& req, Response& res) const;
  void dispatch(const Route& route, Request& req, Response& res);
  Result<Claims> verify_cached(std::string_view token);
  void audit(Call& call, const std::string& action, const std::string& target,
             const std::string& detail);

  ServerOptions options_;
  Tokens tokens_;
  StorePool pool_;
  LoginLimiter user_limiter_{5, 5 * kMicrosPerMinute};      // failed logins per username
  LoginLimiter address_limiter_{50, 5 * kMicrosPerMinute};  // and per client address
  ApiMetrics metrics_;
  EventHub hub_;
  std::vector<Route> routes_;
  std::unique_ptr<Transport> transport_;
  int port_ = 0;
  std::function<std::string()> extra_metrics_;
  std::function<int64_t()> source_lag_;
  Scorer scorer_;
};

}  // namespace wf::api
