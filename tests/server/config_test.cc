// The daemon's distributed-job settings: --mpi-launcher and --max-ranks, with their W2VD_*
// environment fallbacks (the flag wins), and a launcher that cannot be split refused at start.

#include "server/runtime/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace w2v::server {
namespace {

struct Parsed {
  ServerConfig config;
  std::string error;  // empty when the command line was accepted
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  CLI::App app;
  add_server_flags(app, p.config);
  args.insert(args.begin(), "w2vd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    p.error = e.what();
  }
  return p;
}

TEST(ServerConfig, MpiLauncherFromTheFlagOrTheEnvironment) {
  const Parsed none = parse({});
  EXPECT_TRUE(none.config.mpi_launcher_argv().empty());
  EXPECT_EQ(none.config.max_ranks, 64);

  const Parsed flag =
      parse({"--mpi-launcher", "mpirun --hostfile '/etc/w2vd/my hosts'", "--max-ranks", "8"});
  ASSERT_EQ(flag.error, "");
  EXPECT_EQ(flag.config.mpi_launcher_argv(),
            (std::vector<std::string>{"mpirun", "--hostfile", "/etc/w2vd/my hosts"}));
  EXPECT_EQ(flag.config.max_ranks, 8);

  ::setenv("W2VD_MPI_LAUNCHER", "mpiexec -f hosts", 1);
  ::setenv("W2VD_MAX_RANKS", "16", 1);
  const Parsed env = parse({});
  const Parsed both = parse({"--mpi-launcher", "srun --mpi=pmix", "--max-ranks", "2"});
  ::unsetenv("W2VD_MPI_LAUNCHER");
  ::unsetenv("W2VD_MAX_RANKS");
  EXPECT_EQ(env.config.mpi_launcher_argv(), (std::vector<std::string>{"mpiexec", "-f", "hosts"}));
  EXPECT_EQ(env.config.max_ranks, 16);
  EXPECT_EQ(both.config.mpi_launcher_argv(), (std::vector<std::string>{"srun", "--mpi=pmix"}));
  EXPECT_EQ(both.config.max_ranks, 2);
}

TEST(ServerConfig, RefusesALauncherItCannotSplitAndRanksOutOfRange) {
  EXPECT_NE(parse({"--mpi-launcher", "mpirun --hostfile 'oops"}).error.find("unterminated"),
            std::string::npos);
  EXPECT_NE(parse({"--mpi-launcher", "   "}).error, "");
  EXPECT_NE(parse({"--max-ranks", "0"}).error, "");
  EXPECT_NE(parse({"--max-ranks", "5000"}).error, "");
}

}  // namespace
}  // namespace w2v::server
