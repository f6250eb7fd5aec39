#pragma once
// How failures of the data directory reach clients and job records: a full disk is 507
// insufficient_storage, a metadata store that cannot be read or written is 503
// store_unavailable (both recover by themselves once the cause is gone, with no restart), and a
// job's error names the step that failed and what it needed.

#include <cstdint>
#include <exception>
#include <string>

#include "proto/api_error.h"

namespace w2v::server {

// Thrown by Store when SQLite fails for a reason outside w2vd (disk full, I/O error, read-only
// file system, lock held too long): 503 with a message that says what to do.
class StoreUnavailable : public proto::ApiError {
 public:
  StoreUnavailable(const std::string& message, bool disk_full)
      : proto::ApiError(503, "store_unavailable", message), disk_full_(disk_full) {}
  bool disk_full() const noexcept { return disk_full_; }

 private:
  bool disk_full_;
};

// True when e (or what it nests) is a full disk: ENOSPC/EDQUOT from a write, or a store that
// cannot be written because its disk is full.
bool is_storage_full(const std::exception& e) noexcept;

// For a catch block around a write to the data directory: rethrows the current exception as a
// 507 ApiError when it is a full disk (naming what was being written and where), unchanged
// otherwise.
[[noreturn]] void rethrow_as_storage_error(const std::string& writing, const std::string& dir);

// "disk full while writing <what> (needs ~N MB in <dir>)", or "cannot write <what>: <e.what()>"
// when e is something else: a job's error for a failure while writing.
std::string describe_write_failure(const std::exception& e, const std::string& what,
                                   std::uint64_t bytes_needed, const std::string& dir);

}  // namespace w2v::server
