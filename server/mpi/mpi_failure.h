#pragma once
// Why a distributed job's MPI launcher ended without rank 0 finishing, in a sentence for the
// job's error: "rank 1 on host-b exited with signal 9 (Killed)".

#include <optional>
#include <string>

namespace w2v::server {

struct MpiJobEnd {
  int wait_status = 0;                     // the launcher's, from waitpid
  std::string launcher;                    // its name, e.g. "mpirun"
  std::string stderr_tail;                 // the last lines of its standard error (LineTail)
  std::optional<std::string> rank0_error;  // what rank 0 reported, if it did
};

// Tries, in order: the launcher's report of a rank that died of a signal (Open MPI: "mpirun
// noticed that process rank 1 with PID 4242 on node host-b exited on signal 9 (Killed)."),
// rank 0's own error, the launcher's report of a rank's exit status (Open MPI: "Process name:
// [[47309,1],1] / Exit code: 3"), and the launcher's own exit status or signal; the last two
// followed by the last lines of the standard error.
std::string describe_mpi_failure(const MpiJobEnd& end);

}  // namespace w2v::server
