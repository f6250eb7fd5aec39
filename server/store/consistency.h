#pragma once
// The data directory against its store: what a crash can leave behind, found and (at start)
// cleaned up.
//   - a directory under corpora/, models/ or jobs/ with no row (a crash between publishing a
//     directory and inserting its row, or between deleting a row and removing its files), or
//     a job directory whose job has ended;
//   - temporary files ("*.tmp.*" beside a blob, anything under tmp/);
//   - a corpus or model whose files are missing or damaged (a file deleted by hand, a restore
//     from a partial backup, a truncated copy: server/store/broken_rows.h), or that is marked
//     broken;
//   - a queued or running job whose corpus has no row.
// `w2vd check --data-dir DIR` prints every finding; w2vd's start-up sweep removes the first
// two kinds (logging each), marks the rows whose files are damaged broken (and clears the mark
// of rows whose files are whole again), and logs the rest as errors, for an operator to decide.

#include <string>
#include <vector>

#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

struct Finding {
  enum class Kind { kOrphan, kTempFile, kBrokenFiles, kDanglingJob };
  Kind kind;
  std::string path;     // the file or directory concerned
  std::string message;  // one line, for a person
};

// Read-only: every inconsistency between the store and the files.
std::vector<Finding> check_data_dir(Store& store, const DataDir& dirs);

// Reads every model's rows file (models/<id>/rows.w2vm) and training state
// (models/<id>/training_state.bin, whose n-gram rows out-of-vocabulary queries read in place)
// whole and checks their checksums, which finds damage inside the rows that check_data_dir's
// look at the headers cannot: about a second per GB, so `w2vd check` does it and the start-up
// sweep does not. Models already found broken by check_data_dir (pass its findings) are skipped.
std::vector<Finding> verify_model_files(Store& store, const DataDir& dirs,
                                        const std::vector<Finding>& found);

// At start, before anything else writes: marks broken the rows whose files are damaged (and
// whole again the others), removes orphans and temporary files, logging each, and logs (as
// errors) the other findings. Returns what it found.
std::vector<Finding> sweep_data_dir(Store& store, const DataDir& dirs);

}  // namespace w2v::server
