#pragma once
// A Communicator over threads of one process, for testing distributed training without MPI:
// InProcessGroup(n) holds n members; run() calls a function on n threads, one member each.
// Collectives meet at a std::barrier; sums add the members' buffers in rank order, so every
// member gets bit-identical results, as MPI promises.

#include <barrier>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "core/distributed/communicator.h"

namespace w2v::testing {

class InProcessGroup {
 public:
  explicit InProcessGroup(int size) : size_(size), barrier_(size), slots_(size) {
    for (int r = 0; r < size; ++r) members_.push_back(std::make_unique<Member>(*this, r));
  }

  distributed::Communicator& member(int rank) { return *members_[rank]; }
  int size() const noexcept { return size_; }

  // Runs fn(member(r)) on one thread per member and waits for all; rethrows nothing (fn
  // should catch what it wants to check).
  void run(const std::function<void(distributed::Communicator&)>& fn) {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r) threads.emplace_back([&, r] { fn(member(r)); });
    for (auto& t : threads) t.join();
  }

 private:
  struct Slot {
    void* data = nullptr;
    std::size_t bytes = 0;
  };

  class Member final : public distributed::Communicator {
   public:
    Member(InProcessGroup& g, int rank) : g_(g), rank_(rank) {}
    int rank() const noexcept override { return rank_; }
    int size() const noexcept override { return g_.size_; }
    void allreduce_sum(std::span<float> data) override {
      bytes_ += data.size_bytes();
      g_.reduce(rank_, data);
    }
    void allreduce_sum(std::span<double> data) override {
      bytes_ += data.size_bytes();
      g_.reduce(rank_, data);
    }
    void broadcast(std::span<std::byte> data, int root) override {
      g_.publish(rank_, data.data(), data.size());
      if (rank_ != root) std::memcpy(data.data(), g_.slots_[root].data, data.size());
      g_.barrier_.arrive_and_wait();
    }
    void send(std::span<const std::byte> data, int dest) override {
      std::lock_guard lock(g_.mail_mutex_);
      g_.mail_[{rank_, dest}].emplace_back(data.begin(), data.end());
      g_.mail_cv_.notify_all();
    }
    void receive(std::span<std::byte> data, int source) override {
      std::unique_lock lock(g_.mail_mutex_);
      auto& box = g_.mail_[{source, rank_}];
      g_.mail_cv_.wait(lock, [&] { return !box.empty(); });
      if (box.front().size() != data.size()) throw std::logic_error("receive: size mismatch");
      std::memcpy(data.data(), box.front().data(), data.size());
      box.pop_front();
    }
    void barrier() override { g_.barrier_.arrive_and_wait(); }
    std::uint64_t allreduce_bytes() const noexcept override { return bytes_; }

   private:
    InProcessGroup& g_;
    int rank_;
    std::uint64_t bytes_ = 0;
  };

  // Every member publishes its buffer; returns once all have (sizes checked).
  void publish(int rank, void* data, std::size_t bytes) {
    slots_[rank] = {data, bytes};
    barrier_.arrive_and_wait();
    for (const Slot& s : slots_) {
      if (s.bytes != bytes) throw std::logic_error("collective: members passed different sizes");
    }
  }

  template <class T>
  void reduce(int rank, std::span<T> data) {
    publish(rank, data.data(), data.size_bytes());
    std::vector<T> sum(data.size(), T{0});
    for (const Slot& s : slots_) {
      const T* other = static_cast<const T*>(s.data);
      for (std::size_t i = 0; i < data.size(); ++i) sum[i] += other[i];
    }
    barrier_.arrive_and_wait();  // everyone has read every buffer
    std::copy(sum.begin(), sum.end(), data.begin());
  }

  int size_;
  std::barrier<> barrier_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Member>> members_;
  std::mutex mail_mutex_;
  std::condition_variable mail_cv_;
  std::map<std::pair<int, int>, std::deque<std::vector<std::byte>>> mail_;
};

}  // namespace w2v::testing
