#pragma once
// `w2vd train`: vectors trained from a text file, without a server, with a flag per job
// parameter (core/train/param_table.h). Under an MPI launcher (`mpirun -np N w2vd train ...`)
// the N processes train one model together (server/commands/distributed_train_command.h).

#include <CLI/CLI.hpp>

namespace w2v::server {

// Adds the subcommand to app; it runs when given and sets exit_code.
void add_train_command(CLI::App& app, int& exit_code);

}  // namespace w2v::server
