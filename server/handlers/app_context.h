#pragma once
// What request handlers work with: the services and parts of the daemon they call.

#include "server/jobs/job_manager.h"
#include "server/models/index_builder.h"
#include "server/models/model_cache.h"
#include "server/models/model_settings.h"
#include "server/runtime/blocking_pool.h"
#include "server/runtime/config.h"
#include "server/runtime/metrics.h"
#include "server/runtime/upload_counting.h"
#include "server/services/corpus_service.h"
#include "server/services/model_service.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

struct AppContext {
  const ServerConfig& config;
  const DataDir& dirs;
  Store& store;
  JobManager& jobs;
  ModelCache& models;
  IndexBuilder& indexes;  // HNSW indexes made ready in the background
  Metrics& metrics;
  ModelSettings& settings;
  BlockingPool& pool;  // for heavy work: never run it on the HTTP I/O threads
  // What the handlers of /v1/corpora and /v1/models call (server/services/).
  CorpusService& corpus_service;
  ModelService& model_service;
  UploadCounting& counting;
};

}  // namespace w2v::server
