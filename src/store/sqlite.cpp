#include "store/sqlite.hpp"

#include <utility>

namespace yollayah::store::sql {

bool Error::transient() const {
  switch (primary()) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

int Statement::step() { return sqlite3_step(stmt_); }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::text_view(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::text(int column) const { return std::string(text_view(column)); }

std::unique_ptr<Connection> Connection::open(const std::string& path, bool create, Error& error) {
  sqlite3* db = nullptr;
  // One thread owns the connection: no SQLite mutexes needed. Extended codes tell a full disk
  // from a read-only one.
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX |
                    SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    error = {db ? sqlite3_extended_errcode(db) : rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_extended_result_codes(db, 1);
  error = {};
  return std::unique_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  cache_.clear();  // statements first: close_v2 would otherwise linger as a zombie
  sqlite3_close_v2(db_);
}

Error Connection::last_error() const { return {sqlite3_extended_errcode(db_), sqlite3_errmsg(db_)}; }

Error Connection::exec(std::string_view sql) {
  std::string copy(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  Error e{sqlite3_extended_errcode(db_), message ? message : sqlite3_errstr(rc)};
  sqlite3_free(message);
  return e;
}

Error Connection::prepare(std::string_view sql, Statement& out) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return last_error();
  out = Statement(stmt);
  return {};
}

Connection::Use Connection::cached(const char* sql, Error& error) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    error = {};
    return Use(&it->second);
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    error = last_error();
    return Use();
  }
  error = {};
  return Use(&cache_.emplace(sql, Statement(stmt)).first->second);
}

std::optional<std::int64_t> Connection::query_int(const char* sql, Error& error) {
  Statement stmt;
  if ((error = prepare(sql, stmt))) return std::nullopt;
  const int rc = stmt.step();
  if (rc == SQLITE_ROW) return stmt.int64(0);
  if (rc == SQLITE_DONE) return 0;
  error = last_error();
  return std::nullopt;
}

std::optional<std::string> Connection::query_text(const char* sql, Error& error) {
  Statement stmt;
  if ((error = prepare(sql, stmt))) return std::nullopt;
  const int rc = stmt.step();
  if (rc == SQLITE_ROW) return stmt.text(0);
  if (rc == SQLITE_DONE) return std::string();
  error = last_error();
  return std::nullopt;
}

}  // namespace yollayah::store::sql
