#include "server/runtime/config.h"

#include <algorithm>
#include <thread>

#include "proto/requests.h"
#include "server/mpi/command_line.h"

namespace w2v::server {

int ServerConfig::effective_io_threads() const {
  if (io_threads > 0) return io_threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::min(4, cores);
}

int ServerConfig::effective_blocking_threads() const {
  if (blocking_threads > 0) return blocking_threads;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(2, std::min(4, cores));
}

int ServerConfig::effective_index_threads() const {
  return index_threads > 0 ? index_threads : effective_blocking_threads();
}

std::vector<std::string> ServerConfig::mpi_launcher_argv() const {
  return split_command_line(mpi_launcher);
}

namespace {

void add_fault_flags(CLI::App& app, ServerConfig& c) {
  app.add_option("--max-job-memory", c.max_job_memory,
                 "largest estimated peak memory of a job, import or model load (e.g. 8GiB; 0: "
                 "80% of the cgroup memory limit, else of physical memory)")
      ->envname("W2VD_MAX_JOB_MEMORY")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
}

void add_distributed_flags(CLI::App& app, ServerConfig& c) {
  app.add_option("--mpi-launcher", c.mpi_launcher,
                 "command that starts the MPI ranks of jobs asking for \"ranks\" > 1, e.g. "
                 "'mpirun --hostfile /etc/w2vd/hosts' (split into words, quotes group, no shell; "
                 "w2vd appends -np N and the rank command); empty: no distributed jobs")
      ->envname("W2VD_MPI_LAUNCHER")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              if (split_command_line(text).empty() && !text.empty()) return "no command in it";
            } catch (const std::exception& e) {
              return e.what();
            }
            return {};
          },
          "COMMAND"));
  app.add_option("--max-ranks", c.max_ranks, "most MPI ranks one job may ask for")
      ->envname("W2VD_MAX_RANKS")
      ->check(CLI::Range(1, proto::kMaxRanks))
      ->capture_default_str();
}

void add_access_flags(CLI::App& app, ServerConfig& c) {
  app.add_option("--token", c.token, "require 'Authorization: Bearer <token>' on /v1")
      ->envname("W2VD_TOKEN");
  app.add_flag("--no-auth", c.no_auth,
               "serve /v1 without a token on a non-loopback --bind too (else a token is generated "
               "and kept in the data directory); for a proxy in front that authenticates")
      ->envname("W2VD_NO_AUTH");
  app.add_flag("--metrics-auth", c.metrics_auth, "require the token on /metrics too")
      ->envname("W2VD_METRICS_AUTH");
  app.add_option("--allowed-hosts", c.allowed_hosts,
                 "Host header names to answer besides 127.0.0.1, localhost, [::1] and the --bind "
                 "address, any port (comma-separated; '*': any, behind a proxy that checks it)")
      ->envname("W2VD_ALLOWED_HOSTS")
      ->delimiter(',');
}

}  // namespace

void add_server_flags(CLI::App& app, ServerConfig& c) {
  app.add_option("--bind", c.bind, "address to listen on")
      ->envname("W2VD_BIND")
      ->capture_default_str();
  app.add_option("--port", c.port, "port to listen on (0: any free port, logged)")
      ->envname("W2VD_PORT")
      ->capture_default_str();
  app.add_option("--data-dir", c.data_dir, "where corpora, jobs and models are kept")
      ->envname("W2VD_DATA_DIR")
      ->capture_default_str();
  add_access_flags(app, c);
  app.add_option("--max-upload-bytes", c.max_upload_bytes, "largest corpus or model upload")
      ->envname("W2VD_MAX_UPLOAD_BYTES")
      ->capture_default_str();
  app.add_option("--max-count-memory", c.max_count_memory,
                 "memory the uploads open at once share to count their words (then they spill "
                 "to disk in the data directory's tmp/; each may also use 1 MiB of its own)")
      ->envname("W2VD_MAX_COUNT_MEMORY")
      ->capture_default_str();
  app.add_option("--max-body-bytes", c.max_body_bytes, "largest JSON request body")
      ->envname("W2VD_MAX_BODY_BYTES")
      ->capture_default_str();
  app.add_option("--max-document-bytes", c.max_document_bytes,
                 "largest evaluation file (POST /v1/models/{id}/evaluate)")
      ->envname("W2VD_MAX_DOCUMENT_BYTES")
      ->capture_default_str();
  app.add_option("--io-threads", c.io_threads, "threads serving HTTP (0: min(4, cores))")
      ->envname("W2VD_IO_THREADS")
      ->capture_default_str();
  app.add_option("--train-threads", c.train_threads,
                 "training threads of jobs that ask for threads=0 (0: every core)")
      ->envname("W2VD_TRAIN_THREADS")
      ->capture_default_str();
  app.add_option("--max-running-jobs", c.max_running_jobs, "jobs training at once")
      ->envname("W2VD_MAX_RUNNING_JOBS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--model-cache-bytes", c.model_cache_bytes, "memory for models loaded for queries")
      ->envname("W2VD_MODEL_CACHE_BYTES")
      ->capture_default_str();
  app.add_option("--max-connections", c.max_connections, "open connections at once (then 503)")
      ->envname("W2VD_MAX_CONNECTIONS")
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", c.max_connections_per_ip,
                 "open connections from one client address at once (then 503)")
      ->envname("W2VD_MAX_CONNECTIONS_PER_IP")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--read-timeout", c.read_timeout_seconds,
                 "seconds the whole request header, and each read of a body, may take (then 408)")
      ->envname("W2VD_READ_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--blocking-threads", c.blocking_threads,
                 "threads for model loads, index builds, exports, imports, evaluations and "
                 "upload decoding (0: max(2, min(4, cores)))")
      ->envname("W2VD_BLOCKING_THREADS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--index-threads", c.index_threads,
                 "threads that build an HNSW index, in the background (0: --blocking-threads)")
      ->envname("W2VD_INDEX_THREADS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  app.add_option("--blocking-queue", c.blocking_queue,
                 "requests that may wait for a blocking thread (then 503 with Retry-After)")
      ->envname("W2VD_BLOCKING_QUEUE")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--min-body-rate", c.min_body_rate,
                 "bytes/s a request body must average after its first --read-timeout seconds "
                 "(then 408; 0: no minimum)")
      ->envname("W2VD_MIN_BODY_RATE")
      ->capture_default_str();
  app.add_option("--softmax-max-vocab", c.softmax_max_vocab,
                 "largest vocabulary a loss=softmax job may have")
      ->envname("W2VD_SOFTMAX_MAX_VOCAB")
      ->capture_default_str();
  add_fault_flags(app, c);
  add_distributed_flags(app, c);
  app.add_option("--eval-analogies", c.eval_analogies,
                 "analogy file (questions-words format) to score every new model on; repeatable")
      ->envname("W2VD_EVAL_ANALOGIES")
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  app.add_option("--eval-pairs", c.eval_pairs,
                 "word-pair similarity file to score every new model on; repeatable")
      ->envname("W2VD_EVAL_PAIRS")
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  app.add_option("--log-format", c.log_format, "text or json")
      ->envname("W2VD_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
      ->envname("W2VD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
}

}  // namespace w2v::server
