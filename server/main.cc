// w2vd: the word-embedding training server, and its offline train/eval commands.

#include <CLI/CLI.hpp>

#include "server/offline_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"w2vd: word-embedding training server"};
  app.set_version_flag("--version", "w2vd 0.1.0");
  int exit_code = 0;
  w2v::server::add_offline_commands(app, exit_code);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
