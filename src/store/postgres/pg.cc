#include "store/postgres/pg.h"

#include <algorithm>

namespace wf::store::postgres {
namespace {

// Class 08 (connection exception), 57P01..57P03 (server shutting down / starting).
bool connection_state(std::string_view sqlstate) {
  return sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

Result<Conn> Conn::connect(const std::string& uri) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (c == nullptr) return make_error(Errc::kStore, "PostgreSQL: out of memory connecting");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(c);
    return make_error(Errc::kStore, "cannot connect to PostgreSQL: " + msg);
  }
  Conn conn(c);
  // Timestamps travel as UTC text; readers ask for epoch microseconds.
  WF_RETURN_IF_ERROR(
      conn.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET client_min_messages = warning"));
  return conn;
}

Conn& Conn::operator=(Conn&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = other.conn_;
    other.conn_ = nullptr;
  }
  return *this;
}

Conn::~Conn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Error Conn::fail(std::string_view what, const PGresult* r) {
  last_ = PgError{};
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  last_.sqlstate = state != nullptr ? state : "";
  std::string msg = r != nullptr && PQresultErrorMessage(r)[0] != '\0' ? PQresultErrorMessage(r)
                                                                       : PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  last_.message = msg;
  last_.connection_lost = PQstatus(conn_) != CONNECTION_OK || connection_state(last_.sqlstate);
  return make_error(Errc::kStore, "PostgreSQL " + std::string(what) + ": " + msg);
}

Status Conn::exec(std::string_view sql) {
  std::string text(sql);
  PgResult r(PQexec(conn_, text.c_str()));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail("statement", r.get());
  return Status::Ok();
}

Result<PgResult> Conn::query(std::string_view sql,
                             const std::vector<std::optional<std::string>>& params) {
  std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult r(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail("query", r.get());
  return r;
}

Status Conn::copy_in(std::string_view sql, std::string_view data) {
  std::string text(sql);
  PgResult start(PQexec(conn_, text.c_str()));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) return fail("COPY", start.get());
  // libpq buffers internally; hand it the stream in large pieces.
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      return fail("COPY data", nullptr);
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return fail("COPY end", nullptr);
  PgResult end(PQgetResult(conn_));
  Status status = Status::Ok();
  if (!end || PQresultStatus(end.get()) != PGRES_COMMAND_OK) status = fail("COPY", end.get());
  // Drain whatever else the server sent for this command.
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  return status;
}

}  // namespace wf::store::postgres
