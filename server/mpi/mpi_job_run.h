#pragma once
// A distributed job, run by the daemon's job manager (server/jobs/job_manager.h) as a child
// process group: the configured MPI launcher, `-np N`, and this w2vd binary's `mpi-job`
// command (server/commands/mpi_job_command.h). Rank 0 runs where the data directory is: it reads
// the job's record (written here), prepares the job as a local one would (server/jobs/
// training_job.h), sends the other ranks the vocabulary and their shares over MPI, writes the
// epoch checkpoints in the job's directory, and at the end stages the finished model there as a
// local job does (server/jobs/model_publication.h), for the job manager to publish without
// preparing the job again. Rank 0's reports
// (server/mpi/rank_report.h) arrive on the launcher's standard output.
//
// The launcher's output is untrusted: lines are bounded, reports checked against the job, its
// standard error kept as a bounded tail for the error message.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/train/trainer.h"
#include "proto/records.h"
#include "server/store/data_dir.h"

namespace w2v::server {

struct MpiLaunch {
  std::vector<std::string> launcher;      // e.g. {"mpirun", "--hostfile", "/etc/w2vd/hosts"}
  std::string rank_binary;                // what the ranks run: this daemon's binary
  std::chrono::milliseconds grace{3000};  // between SIGTERM and SIGKILL when a job is stopped
};

struct MpiJobHooks {
  std::function<void(int epochs_done)> on_resumed;  // rank 0 starts after this many epochs
  std::function<void(const TrainProgress&)> on_progress;
  std::function<void(int epochs_done)> on_epoch_end;  // that epoch's checkpoint is written
};

// launcher... -np <ranks> <rank_binary> mpi-job --data-dir <absolute root> --job <id>
std::vector<std::string> mpi_job_command(const MpiLaunch& launch, const DataDir& dirs,
                                         const proto::JobRecord& job);

// Writes the job's record for rank 0, starts the MPI job and follows it. Returns true when rank
// 0 reported the finished model staged and the launcher exited with status 0; false when
// interrupt became true first: the whole MPI job is then ended (SIGTERM to its process group,
// which Open MPI's mpirun passes on to every rank; SIGKILL after launch.grace). Throws
// std::runtime_error with a readable message (server/mpi/mpi_failure.h) when the job failed.
// Blocks the calling thread (a job runner's) until the launcher has exited and is reaped.
bool run_mpi_job(const MpiLaunch& launch, const DataDir& dirs, const proto::JobRecord& job,
                 const std::atomic<bool>& interrupt, const MpiJobHooks& hooks);

}  // namespace w2v::server
