#pragma once
// The daemon's configuration: command-line flags, each with an environment fallback
// (W2VD_<NAME>); a flag given on the command line wins over the environment.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace w2v::server {

struct ServerConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "./data";
  std::string token;     // empty: none, or one generated (server/access/access_token.h)
  bool no_auth = false;  // no generated token on a non-loopback bind either
  bool metrics_auth = false;
  // Host header names answered besides loopback's and the bind address ("*": any).
  std::vector<std::string> allowed_hosts;
  std::uint64_t max_upload_bytes = 10ull << 30;
  // The memory every upload open at once shares for counting its words; past it they spill to
  // disk (core/text/spilling_word_counter.h). Each may also use 1 MiB of its own.
  std::uint64_t max_count_memory = 256ull << 20;
  std::uint64_t max_body_bytes = 1ull << 20;       // a JSON request
  std::uint64_t max_document_bytes = 64ull << 20;  // an evaluation file
  int io_threads = 0;                              // 0: min(4, cores)
  int train_threads = 0;
  int max_running_jobs = 1;
  std::uint64_t model_cache_bytes = 2ull << 30;
  // Bounds on what one client may cost (server/http/http_server.h, HttpLimits).
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 64;
  int read_timeout_seconds = 30;
  int blocking_threads = 0;         // 0: max(2, min(4, cores))
  std::size_t blocking_queue = 32;  // requests waiting for a blocking thread, beyond one each
  // Threads that insert into an HNSW index at once while it is built, in the background
  // (server/models/index_builder.h; one build at a time). A build is CPU-bound and scales with
  // them (bench/README.md, "HNSW index builds"); queries keep being answered exactly meanwhile,
  // on the I/O threads and the blocking pool, which compete with it for the cores. 0: the
  // blocking pool's thread count.
  int index_threads = 0;
  std::uint64_t min_body_rate = std::uint64_t{8} * 1024;  // bytes/s
  std::size_t softmax_max_vocab = 50000;
  // Faults (docs/operations.md, "Disk full, out of memory, crashes").
  std::uint64_t max_job_memory = 0;  // 0: 80% of the cgroup limit or physical memory
  std::vector<std::string> eval_analogies;
  std::vector<std::string> eval_pairs;
  // Distributed jobs (docs/distributed.md): the command that starts MPI ranks, e.g.
  // "mpirun --hostfile /etc/w2vd/hosts" (empty: jobs run in this process only), and the most
  // ranks a job may ask for.
  std::string mpi_launcher;
  int max_ranks = 64;
  std::string log_format = "text";  // text | json
  std::string log_level = "info";

  int effective_io_threads() const;
  int effective_blocking_threads() const;
  int effective_index_threads() const;
  // mpi_launcher split into arguments (server/mpi/command_line.h); empty when none is set.
  std::vector<std::string> mpi_launcher_argv() const;
};

// Adds the server's flags to app (the default command, or the `serve` subcommand).
void add_server_flags(CLI::App& app, ServerConfig& config);

}  // namespace w2v::server
