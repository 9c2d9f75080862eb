// A thin RAII layer over libpq: a connection, results, parameterised queries and COPY
// FROM STDIN. Errors carry the server's SQLSTATE so callers can tell a lost connection
// (retry) from a bad statement (fail). Only src/store/postgres sees libpq.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wf::store::postgres {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// A statement's failure: the message, and the SQLSTATE ("" when the connection broke
// before the server answered).
struct PgError {
  std::string message;
  std::string sqlstate;
  bool connection_lost = false;  // retrying on a new connection may succeed
};

class Conn {
 public:
  // Connects with a libpq URI ("postgresql://user@/db?host=/tmp/sock&port=5433").
  static Result<Conn> connect(const std::string& uri);
  Conn() = default;
  Conn(Conn&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Conn& operator=(Conn&& other) noexcept;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn();

  bool ok() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  // Runs one or more statements without parameters or results.
  Status exec(std::string_view sql);
  // One statement with text parameters (nullopt = NULL); the rows, if any.
  Result<PgResult> query(std::string_view sql,
                         const std::vector<std::optional<std::string>>& params = {});
  // COPY ... FROM STDIN with `data` as the whole stream (binary or text, per `sql`).
  Status copy_in(std::string_view sql, std::string_view data);

  // The last failure's details (valid after a call returned an error).
  const PgError& last_error() const { return last_; }

 private:
  explicit Conn(PGconn* conn) : conn_(conn) {}
  Error fail(std::string_view what, const PGresult* r);

  PGconn* conn_ = nullptr;
  PgError last_;
};

// A field of a result row as text ("" for NULL).
inline std::string_view field(const PGresult* r, int row, int col) {
  return std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
inline bool is_null(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

// A timestamptz column as microseconds since 1970 (what Instant is), for SELECT lists.
inline std::string epoch_us(std::string_view column) {
  return "(extract(epoch from " + std::string(column) + ") * 1000000)::int8";
}

}  // namespace wf::store::postgres
