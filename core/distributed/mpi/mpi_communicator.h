#pragma once
// The Communicator over MPI (Open MPI from Debian): the only code in w2vd that calls MPI. It
// lives in its own library (w2v_mpi) so the rest of core, the daemon's other code and the tests
// that do not need it stay free of MPI.
//
// MPI is initialised with MPI_THREAD_FUNNELED: only the thread that created the MpiSession may
// call MPI, which is how train_distributed() uses it (the calling thread synchronises, the
// trainer threads never communicate). Operations where a rank may wait for a slower one (the
// control exchanges, broadcasts, transfers) are nonblocking underneath and waited for by
// testing with short sleeps, so the waiting rank does not spin a core; the float sums of model
// rows, which follow a control exchange, use MPI's blocking collective.

#include <cstdint>
#include <memory>
#include <string>

#include "core/distributed/communicator.h"

namespace w2v::distributed {

// True when this process was started by an MPI launcher (mpirun/mpiexec of Open MPI, MPICH or
// a PMIx-based one), read from the environment without initialising MPI.
bool launched_by_mpi() noexcept;
// This process's rank as the launcher's environment tells it, or -1 when not launched by MPI.
int launcher_rank() noexcept;

// MPI_Init_thread on construction, MPI_Finalize on destruction; at most one per process.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // The communicator over every process of the job (MPI_COMM_WORLD).
  Communicator& world() noexcept { return *world_; }
  // This host's name as MPI reports it.
  std::string host() const;

 private:
  std::unique_ptr<Communicator> world_;
};

}  // namespace w2v::distributed
