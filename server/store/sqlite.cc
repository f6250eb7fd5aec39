#include "server/store/sqlite.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace w2v::server::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  throw Error(what + ": " + (message != nullptr ? message : sqlite3_errstr(rc)), code);
}

}  // namespace

// ---- Database ------------------------------------------------------------------------------

Database::Database(const std::string& path, int flags, std::chrono::milliseconds busy_timeout)
    : path_(path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // Even on failure SQLite usually hands back a handle that holds the message.
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    const int code = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("cannot open database " + path + ": " + message, code);
  }
  sqlite3_extended_result_codes(db_, 1);
  const auto ms = busy_timeout.count();
  sqlite3_busy_timeout(
      db_, static_cast<int>(std::min<decltype(ms)>(ms, std::numeric_limits<int>::max())));
}

Database::~Database() {
  // Statements must be finalized first (their owners are destroyed before the connection);
  // sqlite3_close_v2 defers the close until they are, rather than failing.
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    const int code = sqlite3_extended_errcode(db_);
    std::string head = sql.substr(0, 60);
    if (head.size() < sql.size()) head += "...";
    throw Error("sqlite: " + text + " (in \"" + head + "\")", code);
  }
}

Statement Database::prepare(std::string_view sql) {
  return Statement(db_, sql);
}

std::int64_t Database::changes() const noexcept {
  return sqlite3_changes(db_);
}

std::int64_t Database::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_);
}

bool Database::autocommit() const noexcept {
  return sqlite3_get_autocommit(db_) != 0;
}

// ---- Statement -----------------------------------------------------------------------------

Statement::Statement(sqlite3* db, std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error("sqlite: statement too long", SQLITE_TOOBIG);
  }
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, &tail);
  if (rc != SQLITE_OK) {
    std::string head(sql.substr(0, 60));
    if (head.size() < sql.size()) head += "...";
    fail(db, rc, "sqlite: cannot prepare \"" + head + "\"");
  }
  if (stmt_ == nullptr) throw Error("sqlite: empty statement", SQLITE_MISUSE);
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::check_bind(int rc, int index) const {
  if (rc != SQLITE_OK) {
    fail(sqlite3_db_handle(stmt_), rc, "sqlite: cannot bind parameter " + std::to_string(index));
  }
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so value need not outlive the statement.
  check_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  check_bind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind_optional_text(int index, const std::optional<std::string>& value) {
  return value ? bind_text(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_optional_int64(int index, const std::optional<std::int64_t>& value) {
  return value ? bind_int64(index, *value) : bind_null(index);
}

int Statement::parameter_index(const char* name) const {
  const int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0) {
    const char* sql = sqlite3_sql(stmt_);
    std::string head = sql != nullptr ? std::string(sql).substr(0, 60) : std::string();
    throw Error("sqlite: no parameter " + std::string(name) + " in \"" + head + "\"", SQLITE_RANGE);
  }
  return index;
}

Statement& Statement::bind_text(const char* name, std::string_view value) {
  return bind_text(parameter_index(name), value);
}

Statement& Statement::bind_int64(const char* name, std::int64_t value) {
  return bind_int64(parameter_index(name), value);
}

Statement& Statement::bind_null(const char* name) {
  return bind_null(parameter_index(name));
}

Statement& Statement::bind_optional_text(const char* name,
                                         const std::optional<std::string>& value) {
  return bind_optional_text(parameter_index(name), value);
}

Statement& Statement::bind_optional_int64(const char* name,
                                          const std::optional<std::int64_t>& value) {
  return bind_optional_int64(parameter_index(name), value);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_);
  std::string head = sql != nullptr ? std::string(sql).substr(0, 60) : std::string();
  fail(sqlite3_db_handle(stmt_), rc, "sqlite: \"" + head + "\" failed");
}

void Statement::run() {
  if (step()) throw Error("sqlite: statement unexpectedly returned a row", SQLITE_MISUSE);
}

int Statement::column_count() const noexcept {
  return sqlite3_column_count(stmt_);
}

bool Statement::column_is_null(int index) const noexcept {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::string Statement::column_text(int index) const {
  // sqlite3_column_text before sqlite3_column_bytes, as SQLite's documentation prescribes.
  const unsigned char* p = sqlite3_column_text(stmt_, index);
  const int n = sqlite3_column_bytes(stmt_, index);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t Statement::column_int64(int index) const noexcept {
  return sqlite3_column_int64(stmt_, index);
}

double Statement::column_double(int index) const noexcept {
  return sqlite3_column_double(stmt_, index);
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

std::optional<std::int64_t> Statement::column_optional_int64(int index) const noexcept {
  if (column_is_null(index)) return std::nullopt;
  return column_int64(index);
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---- Transaction ---------------------------------------------------------------------------

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
  switch (mode) {
    case Mode::kDeferred:
      db_.exec("BEGIN DEFERRED");
      break;
    case Mode::kImmediate:
      db_.exec("BEGIN IMMEDIATE");
      break;
    case Mode::kExclusive:
      db_.exec("BEGIN EXCLUSIVE");
      break;
  }
}

Transaction::~Transaction() {
  if (done_) return;
  // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, ...) already rolled the transaction
  // back; a ROLLBACK then would fail with "no transaction is active".
  if (db_.autocommit()) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // Nothing more can be done in a destructor; SQLite rolls back when the connection closes.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace w2v::server::sqlite
