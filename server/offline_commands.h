#pragma once
// `w2vd train` and `w2vd eval`: training and evaluation from files, without a server.

#include <CLI/CLI.hpp>

namespace w2v::server {

// Adds the subcommands to app; each runs when its subcommand is given and sets exit_code.
void add_offline_commands(CLI::App& app, int& exit_code);

}  // namespace w2v::server
