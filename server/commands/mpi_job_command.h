#pragma once
// `w2vd mpi-job --data-dir DIR --job ID`: one rank of a distributed job, as the daemon starts
// it under its MPI launcher (server/mpi/mpi_job_run.h builds the command; it is not meant to
// be typed, and `w2vd --help` does not list it).
//
// Rank 0 must run on the daemon's machine: it reads the job's record from the data directory,
// prepares the job as a local one does (server/jobs/training_job.h: vocabulary, encoded corpus,
// checkpoint or parent model), sends every other rank the vocabulary, its share of the corpus,
// the parameters and the start epoch over MPI (so they need no data directory), trains with
// them (core/distributed/), writes the checkpoints and at the end stages the finished model in
// the job's directory (server/jobs/model_publication.h), and reports to the daemon on its standard
// output (server/mpi/rank_report.h). Every rank dies with the process that started it
// (PR_SET_PDEATHSIG), so a launcher killed outright leaves no rank behind.

#include <CLI/CLI.hpp>

namespace w2v::server {

void add_mpi_job_command(CLI::App& app, int& exit_code);

}  // namespace w2v::server
