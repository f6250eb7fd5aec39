#include "server/app/app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/base/isa.h"
#include "proto/api_error.h"
#include "proto/requests.h"
#include "server/access/access_token.h"
#include "server/access/request_hooks.h"
#include "server/handlers/app_context.h"
#include "server/handlers/routes.h"
#include "server/http/http_server.h"
#include "server/runtime/logging.h"
#include "server/runtime/memory_budget.h"
#include "server/store/broken_rows.h"
#include "server/store/consistency.h"

namespace w2v::server {
namespace {

// Every gauge comes from memory: a scrape reads no store row.
void add_collectors(Metrics& metrics, const Store& store, JobManager& jobs, ModelCache& models,
                    const IndexBuilder& indexes, const BlockingPool& pool,
                    const UploadCounting& counting) {
  metrics.add_collector([&store, &jobs, &models, &indexes, &pool, &counting](std::string& out) {
    out += "# HELP w2vd_upload_count_memory_bytes Memory the word counts of open uploads hold.\n";
    out += "# TYPE w2vd_upload_count_memory_bytes gauge\n";
    out += prometheus_sample("w2vd_upload_count_memory_bytes", {},
                             static_cast<double>(counting.memory.used()));
    out += "# HELP w2vd_upload_count_spills_total Times an upload's word counts spilled to disk.\n";
    out += "# TYPE w2vd_upload_count_spills_total counter\n";
    out += prometheus_sample("w2vd_upload_count_spills_total", {},
                             static_cast<double>(counting.spills.load()));
    out += "# HELP w2vd_jobs Jobs by status.\n# TYPE w2vd_jobs gauge\n";
    const JobCounts& counts = store.job_counts();
    for (auto s :
         {proto::JobStatus::kQueued, proto::JobStatus::kRunning, proto::JobStatus::kSucceeded,
          proto::JobStatus::kFailed, proto::JobStatus::kCancelled}) {
      out += prometheus_sample("w2vd_jobs", {{"status", std::string(proto::to_string(s))}},
                               static_cast<double>(counts.count(s)));
    }
    out += "# HELP w2vd_training_words_per_second Training throughput of running jobs.\n";
    out += "# TYPE w2vd_training_words_per_second gauge\n";
    out += prometheus_sample("w2vd_training_words_per_second", {}, jobs.training_words_per_sec());
    out += "# HELP w2vd_model_cache_bytes Memory held by models loaded for queries.\n";
    out += "# TYPE w2vd_model_cache_bytes gauge\n";
    out += prometheus_sample("w2vd_model_cache_bytes", {}, static_cast<double>(models.bytes()));
    out += "# HELP w2vd_model_cache_models Models loaded for queries.\n";
    out += "# TYPE w2vd_model_cache_models gauge\n";
    out += prometheus_sample("w2vd_model_cache_models", {}, static_cast<double>(models.entries()));
    out += "# HELP w2vd_index_builds_pending HNSW indexes queued or being loaded or built.\n";
    out += "# TYPE w2vd_index_builds_pending gauge\n";
    out +=
        prometheus_sample("w2vd_index_builds_pending", {}, static_cast<double>(indexes.pending()));
    out += "# HELP w2vd_blocking_places_taken Places of the blocking pool held by requests.\n";
    out += "# TYPE w2vd_blocking_places_taken gauge\n";
    out += prometheus_sample("w2vd_blocking_places_taken", {}, static_cast<double>(pool.leased()));
    out += "# HELP w2vd_blocking_places Places of the blocking pool (threads + queue).\n";
    out += "# TYPE w2vd_blocking_places gauge\n";
    out += prometheus_sample("w2vd_blocking_places", {},
                             static_cast<double>(pool.threads() + pool.max_queued()));
    out += "# HELP w2vd_blocking_refused_total Requests answered 503 for want of a place.\n";
    out += "# TYPE w2vd_blocking_refused_total counter\n";
    out +=
        prometheus_sample("w2vd_blocking_refused_total", {}, static_cast<double>(pool.refused()));
  });
}

// Says at every start who may use /v1: which token, from where, or that nobody checks.
void log_access(const ServerConfig& config, const AccessToken& token, std::uint16_t port) {
  if (config.allowed_hosts.end() !=
      std::find(config.allowed_hosts.begin(), config.allowed_hosts.end(), "*")) {
    spdlog::warn(
        "--allowed-hosts '*': any Host header is answered; a proxy in front must check "
        "it (DNS rebinding)");
  }
  if (config.token.empty() && config.no_auth && !is_loopback_address(config.bind)) {
    spdlog::warn(
        "--no-auth: /v1 is served without a token to whoever reaches {}:{}; a proxy in "
        "front must authenticate",
        config.bind, port);
  }
  if (!token.generated) return;
  const bool wildcard = config.bind == "0.0.0.0" || config.bind == "::" || config.bind.empty();
  const std::string host = wildcard ? "127.0.0.1" : config.bind;
  spdlog::info(
      "listening on {} without --token: /v1 requires the token w2vd keeps in {} "
      "(w2vctl: W2VD_TOKEN=$(cat {}); curl: -H \"Authorization: Bearer $(cat {})\"; "
      "--no-auth behind a proxy that authenticates)",
      config.bind, token.file, token.file, token.file);
  spdlog::info(
      "dashboard, with the token in the link's fragment (never sent to a server): "
      "http://{}:{}/ui/#token={}",
      host.find(':') != std::string::npos ? "[" + host + "]" : host, port, token.token);
}

// The binary distributed jobs' ranks run: this one.
std::string own_binary() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("w2vd") : path.string();
}

}  // namespace

int run_server(const ServerConfig& config) {
  setup_logging(config.log_format, config.log_level);
  try {
    ::umask(077);  // the data directory's files and directories are the daemon user's alone
    DataDir dirs(config.data_dir);
    Store store(dirs.database());
    try {
      sweep_data_dir(store, dirs);
    } catch (const std::exception& e) {
      spdlog::error("start-up sweep of {} failed: {}; continuing", config.data_dir, e.what());
    }
    JobManagerOptions job_options;
    job_options.max_running_jobs = config.max_running_jobs;
    job_options.train_threads = config.train_threads;
    job_options.eval_analogies = config.eval_analogies;
    job_options.eval_pairs = config.eval_pairs;
    job_options.softmax_max_vocab = config.softmax_max_vocab;
    job_options.max_job_memory = config.max_job_memory;
    job_options.mpi.launcher = config.mpi_launcher_argv();
    job_options.mpi.rank_binary = own_binary();
    job_options.max_ranks = config.max_ranks;
    if (!job_options.mpi.launcher.empty()) {
      spdlog::info("distributed jobs: up to {} ranks, started with '{}'", config.max_ranks,
                   config.mpi_launcher);
    }
    JobManager jobs(store, dirs, job_options);
    // Every load asks the store whether the model still exists: a deleted one is never
    // reloaded, a broken one never tried (409). A load that fails marks the model broken. One
    // model's load is bounded like a job (--max-job-memory).
    ModelCache models(
        dirs, config.model_cache_bytes,
        [&store](const std::string& id) {
          const auto m = store.model(id);
          if (m) refuse_if_broken(*m);
          return m.has_value();
        },
        [&store](const std::string& id, const std::exception& e) {
          mark_model_broken_after_failed_load(store, id, e);
        },
        max_job_memory(config.max_job_memory));
    ModelSettings settings(store);
    // HNSW indexes, built in the background; the approximate models whose index was never
    // saved (a build the last stop interrupted) are built again now.
    IndexBuilder indexes(dirs, models, static_cast<std::size_t>(config.effective_index_threads()));
    for (const auto& m : store.models()) {
      if (m.search == proto::SearchMode::kApproximate && !m.broken &&
          !std::filesystem::exists(dirs.model_hnsw(m.id))) {
        indexes.request(m.id);
      }
    }
    UploadCounting counting(config.max_count_memory);
    CorpusService corpus_service(dirs, store, counting);
    ModelService model_service(dirs, store, models, settings, indexes,
                               max_job_memory(config.max_job_memory));
    // Declared after everything its tasks use and before the server: destroyed (its running
    // tasks finished) after the connections and before what the tasks use.
    BlockingPool pool(static_cast<std::size_t>(config.effective_blocking_threads()),
                      config.blocking_queue);
    Metrics metrics;
    add_collectors(metrics, store, jobs, models, indexes, pool, counting);
    AppContext app{config,  dirs,     store, jobs,           models,        indexes,
                   metrics, settings, pool,  corpus_service, model_service, counting};

    Router router;
    add_all_routes(router, app);
    HttpLimits limits;
    limits.max_upload_bytes = config.max_upload_bytes;
    limits.max_body_bytes = config.max_body_bytes;
    limits.max_document_bytes = config.max_document_bytes;
    limits.max_connections = config.max_connections;
    limits.max_connections_per_ip = config.max_connections_per_ip;
    limits.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
    limits.min_body_bytes_per_second = config.min_body_rate;
    spdlog::info("kernels: {} ({}){}", to_string(active_isa()), describe(active_isa()),
                 active_isa() == best_isa() ? ", the best this CPU runs"
                                            : ", chosen by W2VD_ISA; the best this CPU runs is " +
                                                  std::string(to_string(best_isa())));
    const AccessToken token = resolve_access_token(config, dirs);
    HttpServer server(router, limits, make_hooks(config, token, metrics));
    server.listen(config.bind, config.port);
    log_access(config, token, server.port());
    spdlog::info("w2vd listening on http://{}:{} (data dir {}, {} I/O threads, {} blocking{})",
                 config.bind, server.port(), config.data_dir, config.effective_io_threads(),
                 pool.threads(), token.token.empty() ? "" : ", token required");
    jobs.start();
    server.handle_signals([&server](int signal) {
      spdlog::info("received signal {}: shutting down", signal);
      server.stop();
    });
    server.run(config.effective_io_threads());
    pool.stop();
    indexes.stop();
    jobs.stop();
    spdlog::info("w2vd stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("w2vd cannot run: {}", e.what());
    return 1;
  }
}

}  // namespace w2v::server
