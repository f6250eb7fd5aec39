#pragma once
// `w2vd train` started by an MPI launcher (`mpirun -np N w2vd train ...`): one model trained
// across the N ranks (core/distributed/), with the parameters and output of one process.
// Rank 0 reads the corpus, builds the vocabulary and sends every other rank the vocabulary and
// its share of the encoded corpus, so only rank 0 needs the corpus file; rank 0 prints progress
// and writes the vectors. docs/distributed.md.

#include <CLI/CLI.hpp>
#include <string>

#include "core/io/vectors_io.h"
#include "core/train/train_params.h"

namespace w2v::server {

// True when this process was started by an MPI launcher.
bool started_by_mpi_launcher() noexcept;

// The check for --corpus: an existing file, except on ranks other than 0 of an MPI job (which
// never read it).
CLI::Validator corpus_file_check();

// Runs the distributed training; returns the process's exit code.
int run_distributed_train(const std::string& corpus, const std::string& output,
                          VectorsFormat format, const TrainParams& params, bool quiet);

}  // namespace w2v::server
