// w2vd: the word-embedding training server (default command), its offline train and eval
// commands, and `check`, which compares a data directory's store with its files.

#include <CLI/CLI.hpp>

#include "server/app/app.h"
#include "server/app/config.h"
#include "server/mpi_job_command.h"
#include "server/offline_commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "w2vd: word-embedding training server.\n"
      "Without a command it serves the HTTP API; 'w2vd train' and 'w2vd eval' work on files;\n"
      "'w2vd check' reports inconsistencies in a data directory."};
  app.set_version_flag("--version", "w2vd 0.1.0");
  w2v::server::ServerConfig config;
  w2v::server::add_server_flags(app, config);
  int exit_code = 0;
  w2v::server::add_offline_commands(app, exit_code);
  w2v::server::add_check_command(app, exit_code);
  w2v::server::add_mpi_job_command(app, exit_code);
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) return w2v::server::run_server(config);
  return exit_code;
}
