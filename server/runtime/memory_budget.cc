#include "server/runtime/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/base/matrix.h"
#include "core/io/vectors_io.h"
#include "core/train/model_weights.h"
#include "proto/api_error.h"

namespace w2v::server {
namespace {

std::uint64_t padded_row_bytes(std::uint64_t dim) {
  return (dim + kRowAlignFloats - 1) / kRowAlignFloats * kRowAlignFloats * sizeof(float);
}

// Bytes a word costs in a WordTable (arena, offset, two hash slots) beyond its text.
constexpr std::uint64_t kWordTableOverhead = 8 + 2 * 8;

// A limit read from a cgroup file: 0 for "max", a missing file or a value so large it
// means "no limit" (cgroup v1 reports that as a huge page-aligned number).
std::uint64_t read_limit(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  if (!(in >> value) || value == "max") return 0;
  try {
    const std::uint64_t v = std::stoull(value);
    return v >= (std::uint64_t{1} << 60) ? 0 : v;
  } catch (const std::exception&) {
    return 0;
  }
}

std::uint64_t cgroup_limit() {
  // cgroup v2: the process's own group, from /proc/self/cgroup's "0::/path" line.
  std::ifstream groups("/proc/self/cgroup");
  for (std::string line; std::getline(groups, line);) {
    if (line.rfind("0::", 0) == 0) {
      const std::string dir = "/sys/fs/cgroup" + line.substr(3);
      if (const auto v = read_limit(dir + "/memory.max")) return v;
    }
  }
  if (const auto v = read_limit("/sys/fs/cgroup/memory.max")) return v;
  return read_limit("/sys/fs/cgroup/memory/memory.limit_in_bytes");  // cgroup v1
}

std::string shrink_hint() {
  return "shrink it with a higher params.min_count or a params.max_vocab (fewer words), or a "
         "lower params.dim";
}

}  // namespace

MemoryEstimate estimate_job_memory(const TrainParams& p, const CorpusShape& c, bool evaluates) {
  const std::uint64_t row = padded_row_bytes(static_cast<std::uint64_t>(p.dim));
  const std::uint64_t avg_word = c.tokens > 0 ? std::max<std::uint64_t>(1, c.bytes / c.tokens) : 8;
  MemoryEstimate e;
  // With subwords the input matrix has bucket rows after the words', and the published
  // vectors (each word's mean of its rows) are a further vocab rows.
  e.matrices = (p.input_rows(c.vocab) + output_rows(p.loss, c.vocab)) * row;
  if (p.subwords()) e.matrices += c.vocab * row;
  // The counts read while the vocabulary is built, then the vocabulary itself with its sampler
  // (alias table) and, for hs, Huffman codes and points.
  e.vocabulary = c.counted_words * (avg_word + kWordTableOverhead + 8) +
                 c.vocab * (avg_word + kWordTableOverhead + 8 + 16) +
                 (p.loss == LossType::kHierarchicalSoftmax ? c.vocab * 2 * 48 : 0);
  if (p.subwords()) {
    // The walk's row lists: about (word length + 2) n-grams per length, 4 bytes each.
    const int lengths_int = p.maxn - std::min(p.minn, p.maxn) + 1;
    const auto lengths = static_cast<std::uint64_t>(lengths_int);
    e.vocabulary += c.vocab * (((avg_word + 2) * lengths + 1) * 4 + 8);
  }
  e.corpus = (c.tokens + c.sentences) * sizeof(std::uint32_t);
  const auto threads = static_cast<std::uint64_t>(std::max(1, p.threads));
  const auto window = static_cast<std::uint64_t>(p.window);
  const auto negative = static_cast<std::uint64_t>(p.negative);
  e.scratch = threads * ((2 * window + negative + 2) * row * 4 + (2u << 20)) + (4u << 20);
  if (evaluates) e.scratch += c.vocab * (row + avg_word + 32);  // the evaluated copy
  return e;
}

MemoryEstimate distributed_rank0_memory(MemoryEstimate local, int ranks) {
  if (ranks <= 1) return local;
  local.matrices *= 2;
  local.corpus += local.corpus / static_cast<std::uint64_t>(ranks);
  return local;
}

MemoryEstimate estimate_vectors_memory(std::uint64_t count, std::uint64_t dim,
                                       std::uint64_t file_bytes) {
  MemoryEstimate e;
  // The rows, and their 8-bit search copy (a byte per element and a scale per row) made for the
  // rows file (server/models/model_rows.h).
  e.matrices = count * (padded_row_bytes(dim) + dim + sizeof(float));
  const std::uint64_t word_bytes = count > 0 ? file_bytes / count : 0;
  const std::uint64_t avg_word = std::min<std::uint64_t>(word_bytes, 64);
  e.vocabulary = count * (avg_word + kWordTableOverhead + 32 + 8);
  e.scratch = 4u << 20;
  return e;
}

std::uint64_t process_memory_limit() {
  std::uint64_t physical = 0;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) physical = static_cast<std::uint64_t>(pages) * page;
  const std::uint64_t cgroup = cgroup_limit();
  if (cgroup == 0) return physical;
  return physical == 0 ? cgroup : std::min(cgroup, physical);
}

std::uint64_t default_max_job_memory() {
  const std::uint64_t limit = process_memory_limit();
  return limit == 0 ? (std::uint64_t{8} << 30) : limit / 5 * 4;
}

std::uint64_t max_job_memory(std::uint64_t configured) {
  return configured > 0 ? configured : default_max_job_memory();
}

void check_vectors_file_memory(const std::string& path, std::uint64_t limit) {
  const VectorsHeader h = read_vectors_header(path);
  check_vectors_memory(estimate_vectors_memory(h.count, h.dim, h.file_bytes), limit, h.count,
                       h.dim);
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

void check_job_memory(const MemoryEstimate& e, std::uint64_t limit, std::uint64_t vocab, int dim,
                      std::uint64_t bucket_rows) {
  if (e.total() <= limit) return;
  const std::string buckets = bucket_rows == 0
                                  ? std::string()
                                  : " and " + std::to_string(bucket_rows) + " n-gram bucket rows";
  throw proto::ApiError::bad_request(
      "params: this job needs about " + format_bytes(e.total()) + " of memory at its peak (" +
          format_bytes(e.matrices) + " for the two matrices of " + std::to_string(vocab) +
          " words" + buckets + " x dim " + std::to_string(dim) + ", " + format_bytes(e.vocabulary) +
          " for the vocabulary, " + format_bytes(e.corpus) + " for the encoded corpus, " +
          format_bytes(e.scratch) + " for buffers), over this server's limit of " +
          format_bytes(limit) + " (--max-job-memory); " + shrink_hint() +
          (bucket_rows == 0 ? "" : ", or a lower params.bucket"),
      "job_too_large");
}

void check_vectors_memory(const MemoryEstimate& e, std::uint64_t limit, std::uint64_t count,
                          std::uint64_t dim) {
  if (e.total() <= limit) return;
  throw proto::ApiError::bad_request(
      "these vectors (" + std::to_string(count) + " words x dim " + std::to_string(dim) +
          ", as the header says) need about " + format_bytes(e.total()) +
          " of memory, over this server's limit of " + format_bytes(limit) +
          " (--max-job-memory); import fewer words or fewer dimensions",
      "model_too_large");
}

void check_model_load_memory(const std::string& id, std::uint64_t bytes, std::uint64_t index_bytes,
                             std::uint64_t limit, std::uint64_t count, std::uint64_t dim) {
  if (bytes <= limit) return;
  throw proto::ApiError::conflict(
      "model " + id + " needs about " + format_bytes(bytes) + " of memory to be queried (" +
          std::to_string(count) + " words x dim " + std::to_string(dim) +
          (index_bytes > 0 ? ", " + format_bytes(index_bytes) + " of it for its HNSW index" : "") +
          "), over this server's limit of " + format_bytes(limit) +
          " (--max-job-memory); raise the limit, or query a smaller model" +
          (index_bytes > 0 ? " or search exactly (exact=true)" : ""),
      "model_too_large");
}

}  // namespace w2v::server
