#pragma once
// `w2vd check --data-dir DIR`: every inconsistency between the store and the files of a data
// directory (server/store/consistency.h); exit 1 when there is one, 2 when the directory cannot
// be read.

#include <CLI/CLI.hpp>

namespace w2v::server {

// Adds the subcommand to app; it runs when given and sets exit_code.
void add_check_command(CLI::App& app, int& exit_code);

}  // namespace w2v::server
