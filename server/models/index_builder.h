#pragma once
// Models' HNSW indexes made ready in the background, so no query waits for one: a query that
// asks for the approximate search before its model's index is ready is answered by the exact
// search, with the index's status (proto::IndexStatus), and asks for the index. One thread takes
// the models asked for in turn: it loads the model and its index file through the cache
// (ModelCache::index), or builds the index there from `threads` threads when there is no file.
// A build is asked for by a query with exact=false (or on a model whose search setting is
// approximate), by setting a model's search to approximate, and at start-up for the approximate
// models whose index was never saved (a build the daemon's stop interrupted, say).
//
// A deleted model's build is stopped (forget()) and the daemon's stop ends the one running
// (stop()); either way the cache writes nothing of it (ModelCache::index). A build that failed
// (the model too large for the index beside it, memory, a damaged file) stays failed, saying
// why, until the model's search is set to approximate again or the daemon restarts: queries
// keep being answered exactly rather than starting it over and over.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/search/hnsw_index.h"
#include "proto/records.h"
#include "server/models/model_cache.h"
#include "server/store/data_dir.h"

namespace w2v::server {

class IndexBuilder {
 public:
  // threads: each build's inserting threads (--index-threads).
  IndexBuilder(const DataDir& dirs, ModelCache& cache, std::size_t threads);
  ~IndexBuilder();  // stop()
  IndexBuilder(const IndexBuilder&) = delete;
  IndexBuilder& operator=(const IndexBuilder&) = delete;

  // Queues the model's index unless it is queued or being made already, or failed (unless
  // retry_failed). Never blocks: callable from an I/O thread. The caller has just found the
  // index not in the cache (ModelCache::loaded_index), so a ready one is loaded again.
  void request(const std::string& model_id, bool retry_failed = false);
  // The index's status: queued and running ones as the builder knows them; otherwise ready
  // when it is in the cache or its file exists, else none. Reads the file's existence.
  proto::IndexStatus status(const std::string& model_id) const;
  // The model is deleted: its place in the queue is dropped, its build told to stop (it stops
  // within a batch of inserts; ModelCache::evict waits for a save in progress) and its status
  // forgotten. Never blocks.
  void forget(const std::string& model_id);
  // Drops the queue, stops the running build and joins the thread. Idempotent.
  void stop();

  std::size_t threads() const noexcept { return threads_; }
  // For /metrics: models whose index is queued or being loaded or built.
  std::size_t pending() const;

 private:
  struct Job {
    proto::IndexState state = proto::IndexState::kNone;  // kNone: queued
    std::shared_ptr<HnswBuildControl> control;           // while it runs
    std::string error;                                   // when failed
  };
  void run();
  void make_ready(const std::string& model_id, const std::shared_ptr<HnswBuildControl>& control);

  const DataDir& dirs_;
  ModelCache& cache_;
  const std::size_t threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Job> jobs_;  // queued, running and failed
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace w2v::server
