// RAII wrappers over the sqlite3 C API: Db owns a connection, Stmt a prepared statement.
// Errors come back as Status with the SQLite message. Not thread-safe (one owner).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wf::store::sqlite {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds by 1-based index. Text/blob views must stay valid until step()/reset().
  void bind(int i, std::string_view text);       // empty text binds NULL
  void bind_text(int i, std::string_view text);  // empty text binds ''
  void bind_blob(int i, std::string_view bytes);
  void bind(int i, int64_t value);
  void bind(int i, double value);
  void bind_null(int i);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> step();
  // Runs a statement that returns no rows, then resets it.
  Status run();
  void reset();

  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  bool column_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int column_count() const { return sqlite3_column_count(stmt_); }
  std::string_view column_text(int i) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  static Result<Db> open(const std::string& path);
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&&) = delete;
  Db(const Db&) = delete;
  ~Db();

  Status exec(std::string_view sql);
  Result<Stmt> prepare(std::string_view sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() { return db_; }
  Error error(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace wf::store::sqlite
