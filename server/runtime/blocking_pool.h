#pragma once
// A small, bounded pool of threads for the blocking work requests cause (model loads, HNSW
// builds, exports, imports, evaluations, upload decompression and tokenising, reading a
// corpus's counts), so the HTTP I/O threads only move bytes. It is separate from training,
// which runs in its own oneTBB task arenas.
//
// Admission is by place: the pool has threads() + max_queued() places. A request that needs the
// pool takes a place (a Lease) before it starts and keeps it until its work is done; when every
// place is taken, try_lease() answers null and the caller answers 503 with Retry-After instead of
// waiting. A lease may post any number of tasks, one after another (an upload posts one per
// chunk): they never fail for want of room, so an upload admitted at its start is never refused
// half-way. Tasks run in the order posted, on whichever thread is free.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace w2v::server {

class BlockingPool {
 public:
  // threads >= 1 workers; max_queued places beyond one per thread.
  BlockingPool(std::size_t threads, std::size_t max_queued);
  // stop().
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // A place in the pool, returned when the lease is destroyed.
  class Lease {
   public:
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Queues task on the pool. False, and task not run, only when the pool is stopping. The
    // task must not throw (an exception is logged and dropped).
    bool post(std::function<void()> task);

   private:
    friend class BlockingPool;
    explicit Lease(BlockingPool& pool) : pool_(pool) {}
    BlockingPool& pool_;
  };

  // A place, or null when all threads() + max_queued() places are taken or the pool is stopping.
  std::unique_ptr<Lease> try_lease();
  // try_lease() and post(task), the place returned once task has run. False when refused.
  bool try_post(std::function<void()> task);

  // Finishes the running tasks, drops the queued ones (their leases' owners are gone or will
  // answer nothing) and joins the threads. Later posts fail. Idempotent.
  void stop();

  std::size_t threads() const noexcept { return thread_count_; }
  std::size_t max_queued() const noexcept { return max_queued_; }
  // For metrics: places taken, tasks running now, and leases refused since the start.
  std::size_t leased() const;
  std::size_t running() const;
  std::uint64_t refused() const;

 private:
  void worker();
  bool post(std::function<void()> task);

  const std::size_t thread_count_;
  const std::size_t max_queued_;
  std::size_t places_ = 0;  // threads + max_queued
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t leased_ = 0;
  std::size_t running_ = 0;
  std::uint64_t refused_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace w2v::server
