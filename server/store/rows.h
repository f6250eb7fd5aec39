#pragma once
// How the store's records map to table rows, both ways, in one place per table: the columns a
// SELECT names (k*Columns, which read_*() reads in that order) and the :named parameters
// bind_*() fills, so the order a statement writes its columns in never matters. JSON columns
// (params, progress, evaluation) go through proto/; a value that cannot be read back throws
// std::runtime_error "corrupt <what> in the database for <id>: ...".
//
// Used by server/store/store.cc only; nothing here runs a statement.

#include <cstdint>
#include <string>

#include "proto/records.h"
#include "server/store/sqlite.h"

namespace w2v::server::rows {

// Unsigned counts are stored in SQLite's signed 64-bit integers bit for bit.
std::int64_t to_i64(std::uint64_t v) noexcept;
std::uint64_t to_u64(std::int64_t v) noexcept;

// A stored status, or the corrupt-row error naming id.
proto::JobStatus job_status(const std::string& text, const std::string& id);

// ---- corpora ----
inline constexpr const char* kCorpusColumns =
    "id, name, bytes, tokens, sentences, distinct_words, created_at, broken";
proto::CorpusRecord read_corpus(const sqlite::Statement& s);
// :id :name :bytes :tokens :sentences :distinct_words :created_at (not the broken mark, which
// only set_corpus_broken writes).
void bind_corpus(sqlite::Statement& s, const proto::CorpusRecord& c);

// ---- jobs ----
inline constexpr const char* kJobColumns =
    "id, corpus_id, name, status, params, progress, model_id, error, created_at, started_at, "
    "finished_at, attempts, resumed_from_epoch, init_model, vocabulary, ranks";
proto::JobRecord read_job(const sqlite::Statement& s);
// Every column of kJobColumns, each as :<column>.
void bind_job(sqlite::Statement& s, const proto::JobRecord& j);

// ---- models ----
inline constexpr const char* kModelColumns =
    "id, job_id, name, vocab_size, dim, params, evaluation, source, created_at, search, "
    "parent_id, weights, broken";
proto::ModelRecord read_model(const sqlite::Statement& s);
// Every column of kModelColumns but broken (set_model_broken's alone), each as :<column>.
void bind_model(sqlite::Statement& s, const proto::ModelRecord& m);

}  // namespace w2v::server::rows
