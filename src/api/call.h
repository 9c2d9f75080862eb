// One request being served: the route, the caller (from the token), the parsed body, a
// store connection borrowed on first use, and the ways to answer.
#pragma once

#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "api/http.h"
#include "api/server.h"

namespace wf::api {

struct StoreUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Call {
 public:
  Call(Server& server, const Route& r, const Request& q, Response& s)
      : route(r), req(q), res(s), server_(server) {}

  const Route& route;
  const Request& req;
  Response& res;
  std::optional<Claims> claims;
  // The request body's parse; the parser is the serving thread's own, reused (no
  // allocation per request).
  simdjson::dom::element body;
  static simdjson::dom::parser& parser();
  int status = 200;

  void json(int code, std::string body);
  // {"error": {"code": ..., "message": ...}}
  void error(int code, std::string_view error_code, const std::string& message);

  std::optional<std::string> query(const std::string& name) const;
  std::string path(const std::string& name) const;
  // The query parameter as an integer in [lo, hi] (fallback when absent); nullopt after
  // answering 400.
  std::optional<int64_t> int_param(const std::string& name, int64_t fallback, int64_t lo,
                                   int64_t hi);
  // The query parameter as fixed-width UTC text (empty when absent); nullopt after 400.
  std::optional<std::optional<std::string>> time_param(const std::string& name);
  std::string_view body_string(std::string_view field) const;
  bool body_has(std::string_view field) const;

  // A store connection for this request (throws StoreUnavailable: 503).
  store::Store& db();
  void audit(const std::string& action, const std::string& target, const std::string& detail);
  Server& server() { return server_; }

 private:
  Server& server_;
  std::optional<StorePool::Lease> lease_;
};

}  // namespace wf::api
