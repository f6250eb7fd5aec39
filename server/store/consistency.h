#pragma once
// The data directory against its store: what a crash can leave behind, found and (at start)
// cleaned up.
//   - a directory under corpora/, models/ or jobs/ with no row (a crash between publishing a
//     directory and inserting its row, or between deleting a row and removing its files), or
//     a job directory whose job has ended;
//   - temporary files ("*.tmp.*" beside a blob, anything under tmp/);
//   - a row whose files are missing (a file deleted by hand, a restore from a partial backup);
//   - a queued or running job whose corpus has no row.
// `w2vd check --data-dir DIR` prints every finding; w2vd's start-up sweep removes the first
// two kinds (logging each) and logs the others as errors, for an operator to decide (a job on
// a corpus whose files are missing fails with that error).

#include <string>
#include <vector>

#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

struct Finding {
  enum class Kind { kOrphan, kTempFile, kMissingFiles, kDanglingJob };
  Kind kind;
  std::string path;     // the file or directory concerned
  std::string message;  // one line, for a person
};

// Read-only: every inconsistency between the store and the files.
std::vector<Finding> check_data_dir(Store& store, const DataDir& dirs);

// At start, before anything else writes: removes orphans and temporary files, logging each,
// and logs (as errors) the rows whose files are missing. Returns what it found.
std::vector<Finding> sweep_data_dir(Store& store, const DataDir& dirs);

}  // namespace w2v::server
