#pragma once
// `w2vd eval`: a vectors file scored on analogy and word-pair files (core/search/evaluation.h),
// printed as lines or as JSON.

#include <CLI/CLI.hpp>

namespace w2v::server {

// Adds the subcommand to app; it runs when given and sets exit_code.
void add_eval_command(CLI::App& app, int& exit_code);

}  // namespace w2v::server
