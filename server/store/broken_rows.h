#pragma once
// Corpora and models whose files cannot be used (deleted by hand, a partial restore, a truncated
// copy, a disk error): what makes a row broken, the mark the store keeps on it (set by the
// start-up sweep, server/store/consistency.h, or by a model load that fails), and what requests
// on a broken row get: 409 corpus_broken / model_broken naming the row and why, never a 500.
// GET and the lists show the mark; DELETE removes a broken row like any other.

#include <exception>
#include <optional>
#include <string>

#include "proto/api_error.h"
#include "proto/records.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

// Why the corpus's files cannot be used: its text or counts missing or unreadable, the text
// not as long as the record says, the counts without their header. nullopt when they look whole.
std::optional<std::string> corpus_files_problem(const DataDir& dirs, const proto::CorpusRecord& c);
// Why the model's vectors cannot be loaded: missing or unreadable, no word2vec header, a header
// that disagrees with the record, a file shorter than its rows. nullopt when they look whole
// (damage inside the rows shows at the first load, which marks the model broken then). Reads
// the header only.
// Then model_rows_problem.
std::optional<std::string> model_files_problem(const DataDir& dirs, const proto::ModelRecord& m);
// Why the model's rows file (models/<id>/rows.w2vm, core/search/embeddings_file.h) cannot be
// mapped: a header that is damaged, of another version or disagrees with the record, a file
// shorter or longer than its header says. nullopt when it looks whole or is absent (the next
// load makes it). Reads the header only; damage inside the rows shows to `w2vd check`.
std::optional<std::string> model_rows_problem(const DataDir& dirs, const proto::ModelRecord& m);
// What the errors about a rows file add: the file is derived from vectors.bin.
inline constexpr const char* kRowsFileRemedy =
    " (the file is made from vectors.bin: remove it and w2vd writes it again at the next load)";

// What the errors about a training state add: nothing else holds what it holds.
inline constexpr const char* kTrainingStateRemedy =
    " (continued training and out-of-vocabulary queries need this file, queries on the "
    "vocabulary do not: restore it from a backup, or remove the model)";

// 409 corpus_broken / model_broken: "<what> <id> is broken: <why>; ..." with what to do.
proto::ApiError corpus_broken_error(const std::string& id, const std::string& why);
proto::ApiError model_broken_error(const std::string& id, const std::string& why);

// Throw the error above when the row is marked broken.
void refuse_if_broken(const proto::CorpusRecord& c);
void refuse_if_broken(const proto::ModelRecord& m);

// Marks model id broken with why (logged) and throws model_broken_error, or 404 model_not_found
// when the model was deleted meanwhile.
[[noreturn]] void mark_model_broken(Store& store, const std::string& id, const std::string& why);

// For a failed load of model id's files (its rows, or its n-gram rows; the current exception is e):
// unless it is a want of memory (not the files' fault, rethrown as it is), mark_model_broken.
[[noreturn]] void mark_model_broken_after_failed_load(Store& store, const std::string& id,
                                                      const std::exception& e);

}  // namespace w2v::server
