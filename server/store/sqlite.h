#pragma once
// A small RAII wrapper over the SQLite C API: a connection, prepared statements and a
// transaction guard. Every error throws sqlite::Error (a std::runtime_error) carrying SQLite's
// message and result code. Not thread-safe by itself: guard a Database and its statements with
// one mutex (or use one connection per thread).

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace w2v::server::sqlite {

class Error : public std::runtime_error {
 public:
  Error(const std::string& message, int code) : std::runtime_error(message), code_(code) {}
  // SQLite's (extended) result code, e.g. SQLITE_CONSTRAINT_PRIMARYKEY.
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Statement;

class Database {
 public:
  static constexpr int kDefaultFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  static constexpr std::chrono::milliseconds kDefaultBusyTimeout{10000};

  // Opens path with sqlite3_open_v2's flags; waits up to busy_timeout for another connection's
  // lock before a statement fails with SQLITE_BUSY.
  explicit Database(const std::string& path, int flags = kDefaultFlags,
                    std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements separated by ';' (results are discarded).
  void exec(const std::string& sql);
  Statement prepare(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const noexcept;
  std::int64_t last_insert_rowid() const noexcept;
  // False while a transaction is open.
  bool autocommit() const noexcept;

  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Parameters are bound by 1-based index (SQLite's convention) or by name
// (":id", as the SQL writes it; a name the statement does not have throws, so a misspelt one
// never leaves a parameter NULL); columns are read by 0-based index (also SQLite's). Text is
// bound and read with its explicit length, so it may hold any bytes, NUL and invalid UTF-8
// included.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind_text(int index, std::string_view value);
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_null(int index);
  // Binds NULL for nullopt.
  Statement& bind_optional_text(int index, const std::optional<std::string>& value);
  Statement& bind_optional_int64(int index, const std::optional<std::int64_t>& value);

  // The same by name: name is a NUL-terminated ":name" of the statement.
  Statement& bind_text(const char* name, std::string_view value);
  Statement& bind_int64(const char* name, std::int64_t value);
  Statement& bind_null(const char* name);
  Statement& bind_optional_text(const char* name, const std::optional<std::string>& value);
  Statement& bind_optional_int64(const char* name, const std::optional<std::int64_t>& value);
  // The 1-based index of parameter name; throws sqlite::Error when the statement has none.
  int parameter_index(const char* name) const;

  // Runs the statement to its next row: true when a row is available, false when done.
  bool step();
  // step() for a statement that returns no rows; throws if it returns one.
  void run();

  int column_count() const noexcept;
  bool column_is_null(int index) const noexcept;
  std::string column_text(int index) const;             // "" for NULL
  std::int64_t column_int64(int index) const noexcept;  // 0 for NULL
  double column_double(int index) const noexcept;       // 0 for NULL
  std::optional<std::string> column_optional_text(int index) const;
  std::optional<std::int64_t> column_optional_int64(int index) const noexcept;

  // Makes the statement runnable again from the start and clears its bindings.
  void reset() noexcept;

  sqlite3_stmt* handle() const noexcept { return stmt_; }

 private:
  void check_bind(int rc, int index) const;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded. IMMEDIATE (the
// default) takes the write lock at once, so a read-check-write sequence cannot be overtaken by
// another connection and never fails half-way with SQLITE_BUSY on the upgrade to writing.
class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate, kExclusive };
  explicit Transaction(Database& db, Mode mode = Mode::kImmediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace w2v::server::sqlite
