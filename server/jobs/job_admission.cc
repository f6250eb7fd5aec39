#include "server/jobs/job_admission.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "core/text/word_counts.h"
#include "core/train/param_table.h"
#include "server/jobs/continuation.h"
#include "server/runtime/memory_budget.h"
#include "server/store/broken_rows.h"

namespace w2v::server {
namespace {

using proto::ApiError;
using proto::JobRecord;

// The highest count in a counts file, and how many words reach min_count.
struct CountSummary {
  std::uint64_t max_count = 0;
  std::uint64_t words_at_min_count = 0;
};

CountSummary summarise_counts(const std::string& path, std::uint64_t min_count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  // Streamed: a corpus of tens of millions of distinct words is summarised in constant memory.
  CountSummary s;
  for_each_count(in, [&](std::string_view, std::uint64_t count) {
    s.max_count = std::max(s.max_count, count);
    s.words_at_min_count += count >= min_count;
  });
  return s;
}

void check_ranks(int ranks, const AdmissionLimits& limits) {
  if (ranks > 1 && !limits.has_mpi_launcher) {
    throw ApiError::bad_request(
        "ranks: this server has no --mpi-launcher; a job can train on more than 1 rank only on "
        "a server started with one (docs/distributed.md)");
  }
  if (ranks > limits.max_ranks) {
    throw ApiError::bad_request("ranks must be at most " + std::to_string(limits.max_ranks) +
                                " on this server (--max-ranks), got " + std::to_string(ranks));
  }
}

}  // namespace

proto::ApiError job_corpus_not_found(const std::string& corpus_id) {
  return ApiError::not_found("corpus_id: no corpus " + corpus_id, "corpus_not_found");
}

JobRecord JobAdmission::admit(const proto::CreateJobRequest& request) const {
  check_ranks(request.ranks, limits_);
  const auto corpus = store_.corpus(request.corpus_id);
  if (!corpus) throw job_corpus_not_found(request.corpus_id);
  refuse_if_broken(*corpus);
  JobRecord j;
  // The request's parameters, over the parent model's for a continued job, over the defaults,
  // and the defaults that depend on the others (alpha's).
  TrainParams base;
  std::optional<proto::ModelRecord> parent;
  if (request.init_model) parent = apply_init_model(store_, request, j, base);
  j.params = settle_params(request.params.over(base));
  if (const auto error = cross_check(j.params)) throw ApiError::bad_request("params." + *error);
  if (j.params.subwords() && request.ranks > 1) {
    throw ApiError::bad_request(
        "params.maxn: distributed training (ranks > 1) has no subword path; train with subwords "
        "on 1 rank, or set maxn 0 (docs/distributed.md)");
  }
  if (j.params.threads == 0) {
    TrainParams server_default;
    server_default.threads = limits_.train_threads;
    j.params.threads = server_default.effective_threads();
  }
  CountSummary counts;
  try {
    counts = summarise_counts(dirs_.corpus_counts(corpus->id),
                              static_cast<std::uint64_t>(j.params.min_count));
  } catch (const std::exception& e) {
    if (!store_.corpus(corpus->id)) throw job_corpus_not_found(corpus->id);  // deleted meanwhile
    // Its files went bad since the start-up sweep: broken from now on, not a 500 every time.
    const std::string why = corpus_files_problem(dirs_, *corpus).value_or(e.what());
    store_.set_corpus_broken(corpus->id, why);
    spdlog::error("corpus {} is broken: {}", corpus->id, why);
    throw corpus_broken_error(corpus->id, why);
  }
  if (counts.words_at_min_count == 0 && !parent) {
    throw ApiError::bad_request("params.min_count: no word of corpus " + corpus->id + " occurs " +
                                std::to_string(j.params.min_count) +
                                " times or more (its most frequent word occurs " +
                                std::to_string(counts.max_count) + " times); lower min_count");
  }
  std::uint64_t vocab = counts.words_at_min_count;
  if (j.params.max_vocab > 0) vocab = std::min<std::uint64_t>(vocab, j.params.max_vocab);
  if (parent) {
    vocab = continued_vocabulary_bound(*parent, request.vocabulary, counts.words_at_min_count,
                                       j.params.max_vocab);
  }
  if (j.params.loss == LossType::kSoftmax && vocab > limits_.softmax_max_vocab) {
    throw ApiError::bad_request(
        "params.loss: softmax costs O(vocabulary) per example and is limited to " +
        std::to_string(limits_.softmax_max_vocab) + " words; this corpus gives " +
        std::to_string(vocab) + " (use loss ns or hs, or a higher min_count or a max_vocab)");
  }
  const std::uint64_t counted_words =
      counts.words_at_min_count + (parent ? static_cast<std::uint64_t>(parent->vocab_size) : 0);
  const CorpusShape shape{counted_words, vocab, corpus->tokens, corpus->sentences, corpus->bytes};
  check_job_memory(distributed_rank0_memory(estimate_job_memory(j.params, shape, limits_.evaluates),
                                            request.ranks),
                   max_job_memory(limits_.max_job_memory), vocab, j.params.dim,
                   j.params.input_rows(0));
  j.id = new_id("j");
  j.corpus_id = corpus->id;
  j.name = request.name.empty() ? corpus->name : request.name;
  j.ranks = request.ranks;
  j.status = proto::JobStatus::kQueued;
  j.progress.epochs = j.params.epochs;
  j.progress.words_total = 0;
  j.progress.alpha = j.params.alpha;
  j.created_at = proto::now_rfc3339();
  return j;
}

}  // namespace w2v::server
