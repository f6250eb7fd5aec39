#include "server/app/app.h"

#include <spdlog/spdlog.h>

#include "proto/api_error.h"
#include "server/app/app_context.h"
#include "server/app/logging.h"
#include "server/handlers/routes.h"
#include "server/http/http_server.h"

namespace w2v::server {
namespace {

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Runs over the longer input whatever the contents, so timing does not reveal a prefix.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

HttpHooks make_hooks(const ServerConfig& config, Metrics& metrics) {
  HttpHooks hooks;
  if (!config.token.empty()) {
    const std::string expected = "Bearer " + config.token;
    hooks.authorize = [expected, &config](const Request& req) -> std::optional<Response> {
      const bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path == "/v1" ||
                           (config.metrics_auth && req.path == "/metrics");
      if (!guarded || constant_time_equal(req.header("authorization").value_or(""), expected)) {
        return std::nullopt;
      }
      Response r = Response::json(
          401, proto::error_body("unauthorized",
                                 "this server requires 'Authorization: Bearer <token>' on /v1"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    };
  }
  hooks.observe = [&metrics](const Request& req, const std::string& route, int status,
                             double seconds, std::uint64_t) {
    metrics.observe_request(route, req.method, status, seconds);
  };
  return hooks;
}

void add_collectors(Metrics& metrics, JobManager& jobs, ModelCache& models) {
  metrics.add_collector([&jobs, &models](std::string& out) {
    out += "# HELP w2vd_jobs Jobs by status.\n# TYPE w2vd_jobs gauge\n";
    const auto counts = jobs.count_by_status();
    for (auto s :
         {proto::JobStatus::kQueued, proto::JobStatus::kRunning, proto::JobStatus::kSucceeded,
          proto::JobStatus::kFailed, proto::JobStatus::kCancelled}) {
      const auto it = counts.find(s);
      out += prometheus_sample("w2vd_jobs", {{"status", std::string(proto::to_string(s))}},
                               it == counts.end() ? 0.0 : static_cast<double>(it->second));
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
  });
}

}  // namespace

int run_server(const ServerConfig& config) {
  setup_logging(config.log_format, config.log_level);
  try {
    DataDir dirs(config.data_dir);
    dirs.clean_temp();
    Store store(dirs.database());
    JobManagerOptions job_options;
    job_options.max_running_jobs = config.max_running_jobs;
    job_options.train_threads = config.train_threads;
    job_options.eval_analogies = config.eval_analogies;
    job_options.eval_pairs = config.eval_pairs;
    job_options.softmax_max_vocab = config.softmax_max_vocab;
    JobManager jobs(store, dirs, job_options);
    ModelCache models(dirs, config.model_cache_bytes);
    Metrics metrics;
    add_collectors(metrics, jobs, models);
    ModelSettings settings(store);
    AppContext app{config, dirs, store, jobs, models, metrics, settings};

    Router router;
    add_all_routes(router, app);
    HttpLimits limits;
    limits.max_upload_bytes = config.max_upload_bytes;
    limits.max_body_bytes = config.max_body_bytes;
    limits.max_connections = config.max_connections;
    limits.max_connections_per_ip = config.max_connections_per_ip;
    limits.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
    limits.min_body_bytes_per_second = config.min_body_rate;
    HttpServer server(router, limits, make_hooks(config, metrics));
    server.listen(config.bind, config.port);
    spdlog::info("w2vd listening on http://{}:{} (data dir {}, {} I/O threads{})", config.bind,
                 server.port(), config.data_dir, config.effective_io_threads(),
                 config.token.empty() ? "" : ", token required");
    jobs.start();
    server.handle_signals([&server](int signal) {
      spdlog::info("received signal {}: shutting down", signal);
      server.stop();
    });
    server.run(config.effective_io_threads());
    jobs.stop();
    spdlog::info("w2vd stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("w2vd cannot run: {}", e.what());
    return 1;
  }
}

}  // namespace w2v::server
