// A thin RAII layer over the SQLite C API, used only on the store's thread: one connection, its
// cached prepared statements, and errors as values (code and SQLite's own words).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace yollayah::store::sql {

struct Error {
  int code = SQLITE_OK;  // extended result code
  std::string message;

  explicit operator bool() const { return code != SQLITE_OK; }
  int primary() const { return code & 0xff; }
  // Failures the disk or another process causes, which may go away: full, read-only, I/O, busy,
  // locked, out of memory, cannot open, and a damaged file (kept in memory, never dropped).
  bool transient() const;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Parameters count from 1. Text is copied by SQLite (SQLITE_TRANSIENT): the view may go away.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::uint64_t value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  int step();  // SQLITE_ROW, SQLITE_DONE, or an error code
  void reset();  // clears bindings too

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::uint64_t uint64(int column) const { return static_cast<std::uint64_t>(int64(column)); }
  double real(int column) const;
  std::string text(int column) const;
  std::string_view text_view(int column) const;  // valid until the next step or reset

  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens (creating if asked) the file; on failure the error says why and the connection is closed.
  static std::unique_ptr<Connection> open(const std::string& path, bool create, Error& error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  Error exec(std::string_view sql);  // one or more statements, no results
  // A statement prepared once and kept, borrowed until the Use goes away; it is reset then, so no
  // half-read statement keeps a read transaction (an old snapshot) open. `sql` must outlive the
  // connection: a string literal. Empty (false) on error.
  class Use {
   public:
    explicit Use(Statement* stmt = nullptr) : stmt_(stmt) {}
    Use(Use&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    Use& operator=(Use&&) = delete;
    ~Use() {
      if (stmt_) stmt_->reset();
    }
    explicit operator bool() const { return stmt_ != nullptr; }
    Statement* operator->() const { return stmt_; }
    Statement& operator*() const { return *stmt_; }

   private:
    Statement* stmt_;
  };
  Use cached(const char* sql, Error& error);
  Error prepare(std::string_view sql, Statement& out);

  Error last_error() const;  // the connection's current error, for a failed step
  // A one-value query ("PRAGMA user_version"); nullopt with `error` set on failure.
  std::optional<std::int64_t> query_int(const char* sql, Error& error);
  std::optional<std::string> query_text(const char* sql, Error& error);

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_rowid() const { return sqlite3_last_insert_rowid(db_); }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<const char*, Statement> cache_;
};

}  // namespace yollayah::store::sql
