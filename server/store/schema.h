#pragma once
// The metadata store's schema: the migrations that build it (applied in order at open, each
// once, recorded in SQLite's user_version), and the connection settings the store relies on
// (WAL journal, synchronous=FULL, foreign keys). Nothing here reads or writes a record; the
// rows are server/store/rows.h, the queries server/store/store.cc.

#include <string>

#include "server/store/sqlite.h"

namespace w2v::server::schema {

// The version this w2vd's migrations bring a database to.
int latest_version() noexcept;

// The version the database holds (PRAGMA user_version; 0 for a new file).
int user_version(sqlite::Database& db);

// Readies an open connection for the store: refuses a database newer than latest_version()
// before anything in it changes (and fails cleanly on a file that is not a database), turns on
// WAL, synchronous=FULL and foreign keys, then applies the missing migrations in one IMMEDIATE
// transaction (read again under the write lock: another process may have migrated meanwhile).
// Throws std::runtime_error naming the file and the version on failure, sqlite::Error when the
// database cannot be read.
void open(sqlite::Database& db);

}  // namespace w2v::server::schema
