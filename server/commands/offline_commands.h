#pragma once
// `w2vd train`, `w2vd eval` and `w2vd check`: training and evaluation from files, without a server.

#include <CLI/CLI.hpp>

namespace w2v::server {

// Adds the subcommands to app; each runs when its subcommand is given and sets exit_code.
void add_offline_commands(CLI::App& app, int& exit_code);
// `w2vd check --data-dir DIR`: the store against the files (server/store/consistency.h).
void add_check_command(CLI::App& app, int& exit_code);

}  // namespace w2v::server
