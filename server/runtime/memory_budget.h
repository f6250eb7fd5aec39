#pragma once
// Memory admission: what a training job, an import or a model load will need at its peak,
// estimated before anything is allocated, and the bound it must fit (--max-job-memory, by
// default a large fraction of what this process may use: its cgroup's limit when it has one,
// else the machine's physical memory). A job or import over the bound is refused with 400 (a
// model load for queries with 409) and a message that gives the estimate and how to shrink it,
// instead of being killed by the kernel half-way (and, for a job, again at every restart).

#include <cstdint>
#include <string>

#include "core/train/train_params.h"

namespace w2v::server {

struct MemoryEstimate {
  std::uint64_t matrices = 0;    // the input and output matrices, rows padded
  std::uint64_t vocabulary = 0;  // word tables, counts, sampler, Huffman codes
  std::uint64_t corpus = 0;      // the encoded corpus (mapped)
  std::uint64_t scratch = 0;     // per-thread buffers, output buffers, evaluation copies
  std::uint64_t total() const noexcept { return matrices + vocabulary + corpus + scratch; }
};

// What a corpus offers a job.
struct CorpusShape {
  // The words the job reads from the corpus's counts file: those of min_count (and a parent
  // model's, for continued training); the rarer ones are skipped as the file is read.
  std::uint64_t counted_words = 0;
  std::uint64_t vocab = 0;  // after min_count and max_vocab
  std::uint64_t tokens = 0;
  std::uint64_t sentences = 0;
  std::uint64_t bytes = 0;
};

MemoryEstimate estimate_job_memory(const TrainParams& p, const CorpusShape& corpus, bool evaluates);
// A distributed job of `ranks` ranks on this machine, where its rank 0 runs: a local job's
// estimate plus the model as of the last sync and rank 0's copy of its share of the corpus
// (core/distributed/). The daemon publishing the model afterwards needs less.
MemoryEstimate distributed_rank0_memory(MemoryEstimate local, int ranks);
// A vectors file of count words of dimension dim, file_bytes long, once loaded.
MemoryEstimate estimate_vectors_memory(std::uint64_t count, std::uint64_t dim,
                                       std::uint64_t file_bytes);

// What this process may use: min(cgroup v2 or v1 memory limit, physical memory). 0 when
// neither can be read.
std::uint64_t process_memory_limit();
// The default --max-job-memory: 80% of process_memory_limit() (8 GiB when it is unknown).
std::uint64_t default_max_job_memory();

// configured, or default_max_job_memory() when it is 0.
std::uint64_t max_job_memory(std::uint64_t configured);

// "1.5 GiB", "320.0 MiB", "12.0 KiB", "512 B".
std::string format_bytes(std::uint64_t bytes);

// Throws a 400 ApiError (code "job_too_large") when a job's estimate exceeds limit.
void check_job_memory(const MemoryEstimate& e, std::uint64_t limit, std::uint64_t vocab, int dim,
                      std::uint64_t bucket_rows = 0);
// Throws a 400 ApiError (code "model_too_large") when vectors would exceed limit.
void check_vectors_memory(const MemoryEstimate& e, std::uint64_t limit, std::uint64_t count,
                          std::uint64_t dim);
// Throws a 409 ApiError (code "model_too_large") when loading model id for queries (count words
// x dim, about `bytes` once loaded, index_bytes of them for its approximate-search index) would
// exceed limit: the model is fine, this server's limit is lower than it needs.
void check_model_load_memory(const std::string& id, std::uint64_t bytes, std::uint64_t index_bytes,
                             std::uint64_t limit, std::uint64_t count, std::uint64_t dim);
// Reads the header of a vectors file and applies check_vectors_memory to it. Throws
// VectorsFormatError when there is no valid header.
void check_vectors_file_memory(const std::string& path, std::uint64_t limit);

}  // namespace w2v::server
