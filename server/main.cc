// w2vd: the word-embedding training server (default command), its offline train and eval
// commands, and `check`, which compares a data directory's store with its files.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/base/isa.h"
#include "server/app/app.h"
#include "server/commands/check_command.h"
#include "server/commands/eval_command.h"
#include "server/commands/mpi_job_command.h"
#include "server/commands/train_command.h"
#include "server/runtime/config.h"

namespace {

// "w2vd 0.1.0", the kernels it runs and those it has.
std::string version_text() {
  std::string text = "w2vd 0.1.0\nkernels: " + std::string(w2v::to_string(w2v::active_isa())) +
                     " (" + std::string(w2v::describe(w2v::active_isa())) + "); compiled:";
  for (w2v::Isa isa : w2v::compiled_isas()) {
    text += " " + std::string(w2v::to_string(isa));
    if (!w2v::cpu_supports(isa)) text += " (not on this CPU)";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  // Every command trains or searches: the kernels' instruction set comes first (core/base/isa.h).
  if (auto error = w2v::select_isa(std::getenv("W2VD_ISA"))) {
    std::fprintf(stderr, "w2vd: %s\n", error->c_str());
    return 2;
  }
  CLI::App app{
      "w2vd: word-embedding training server.\n"
      "Without a command it serves the HTTP API; 'w2vd train' and 'w2vd eval' work on files;\n"
      "'w2vd check' reports inconsistencies in a data directory."};
  app.set_version_flag("--version", version_text());
  w2v::server::ServerConfig config;
  w2v::server::add_server_flags(app, config);
  int exit_code = 0;
  w2v::server::add_train_command(app, exit_code);
  w2v::server::add_eval_command(app, exit_code);
  w2v::server::add_check_command(app, exit_code);
  w2v::server::add_mpi_job_command(app, exit_code);
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) return w2v::server::run_server(config);
  return exit_code;
}
