#pragma once
// The negative words of negative sampling (docs/math.md §5), for every walk that uses it:
// `negative` draws per example (or per minibatch) from the unigram distribution raised to 0.75,
// through an alias table in O(1) each.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/alias_sampler.h"
#include "core/train/train_params.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

class NegativeSampler {
 public:
  // For draw(): keep every word drawn.
  static constexpr std::uint32_t kKeepAll = std::numeric_limits<std::uint32_t>::max();

  NegativeSampler(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(AliasSampler::unigram(vocab.counts())),
        count_(static_cast<std::size_t>(params.negative)) {}

  // The draws per call (params.negative, at most kMaxNegative).
  std::size_t count() const noexcept { return count_; }

  // Makes count() draws and writes the words other than `skip` (the example's own target, which
  // word2vec leaves out) to out, in order; returns how many it wrote.
  std::size_t draw(Rng& rng, std::uint32_t skip, std::uint32_t* out) const noexcept {
    std::size_t kept = 0;
    for (std::size_t k = 0; k < count_; ++k) {
      const std::uint32_t w = sampler_.sample(rng);
      if (w != skip) out[kept++] = w;
    }
    return kept;
  }

 private:
  AliasSampler sampler_;
  std::size_t count_;
};

// Prefetches the output rows of ids[0..n) for writing (their rows are random, hence cache misses).
inline void prefetch_rows(const Matrix& m, const std::uint32_t* ids, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) prefetch_for_write(m.row(ids[i]), m.stride());
}

W2V_ISA_END
}  // namespace w2v
