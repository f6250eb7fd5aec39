#pragma once
// What distributed training needs from a group of processes: collective sums of float and double
// buffers, a broadcast, point-to-point transfers (to hand each rank its share of the corpus) and
// a barrier. The MPI implementation lives in core/distributed/mpi/; tests run the same logic over
// an in-process implementation. Every call is collective over the group unless it says
// otherwise, and all members must make the same calls in the same order with the same sizes.

#include <cstddef>
#include <cstdint>
#include <span>

namespace w2v::distributed {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const noexcept = 0;  // 0 .. size()-1
  virtual int size() const noexcept = 0;

  // Replaces data with the elementwise sum over every member's data; every member receives the
  // same sum. Distributed training sums model rows as floats right after a control exchange as
  // doubles (where members wait for each other), and an implementation may wait differently.
  virtual void allreduce_sum(std::span<float> data) = 0;
  virtual void allreduce_sum(std::span<double> data) = 0;
  // Copies root's data into every other member's data.
  virtual void broadcast(std::span<std::byte> data, int root) = 0;
  // Point to point (not collective): send to dest, receive from source; sizes must match.
  virtual void send(std::span<const std::byte> data, int dest) = 0;
  virtual void receive(std::span<std::byte> data, int source) = 0;
  virtual void barrier() = 0;

  // Bytes this member handed to allreduce_sum so far: the payload of model synchronisation. (A ring
  // allreduce sends 2·(size−1)/size times this over the wire.)
  virtual std::uint64_t allreduce_bytes() const noexcept = 0;
};

}  // namespace w2v::distributed
