#include "store/sqlite/db.h"

namespace wf::store::sqlite {

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Stmt::bind(int i, std::string_view text) {
  if (text.empty()) {
    sqlite3_bind_null(stmt_, i);
  } else {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
}

void Stmt::bind_text(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

void Stmt::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Stmt::bind(int i, int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
void Stmt::bind(int i, double value) { sqlite3_bind_double(stmt_, i, value); }
void Stmt::bind_null(int i) { sqlite3_bind_null(stmt_, i); }

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(Errc::kStore, std::string("sqlite: ") + sqlite3_errmsg(db_));
}

Status Stmt::run() {
  auto r = step();
  sqlite3_reset(stmt_);
  if (!r.ok()) return r.take_error();
  return Status::Ok();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Stmt::column_text(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

Result<Db> Db::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(Errc::kStore, "cannot open SQLite database '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  return Db(db);
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Status Db::exec(std::string_view sql) {
  std::string text(sql);
  char* msg = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg != nullptr ? msg : "unknown error";
    sqlite3_free(msg);
    return make_error(Errc::kStore, "sqlite: " + m);
  }
  return Status::Ok();
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return error("prepare");
  }
  return Stmt(db_, stmt);
}

Error Db::error(std::string_view what) const {
  return make_error(Errc::kStore, "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace wf::store::sqlite
