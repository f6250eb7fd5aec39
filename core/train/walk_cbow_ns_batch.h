#pragma once
// CBOW with negative sampling, minibatched (HogBatch, Ji et al.): kBatch consecutive centre
// positions of a sentence go through cbow_ns_batch_step together, each with its own mean context
// vector and target but one shared set of K negatives, so a negative's output row is read and
// written once per minibatch instead of once per position, and K draws serve kBatch examples.
// Everything else is Cbow<NegativeSamplingLoss>'s: the window of each position is drawn as
// walk_window.h draws it, and each context row is stepped by the whole −lr·∂J/∂h (walk_cbow.h). The
// next minibatch's negatives are drawn one step ahead, and its rows prefetched, while the current
// one computes.
//
// kernel: batch selects it; kernel: auto keeps CBOW on the pair path, because sharing negatives
// among positions whose windows overlap costs analogy accuracy (bench/README.md, "CBOW batch
// kernel").

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/train/kernel_cbow_ns_batch.h"
#include "core/train/kernel_negative_sampling.h"
#include "core/train/model_weights.h"
#include "core/train/negative_sampler.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// A Walk (core/train/training_contracts.h).
class BatchCbowNs {
 public:
  // Centre positions per minibatch: the fastest size with the least analogy loss among those
  // bench/README.md measures ("CBOW batch kernel").
  static constexpr std::size_t kBatch = 8;
  static_assert(kBatch <= kMaxCbowBatch);

  BatchCbowNs(const Vocabulary& vocab, const TrainParams& params)
      : sampler_(vocab, params), draw_(params) {}

  // Per-thread buffers, sized once.
  struct Scratch {
    Matrix h, e;  // kBatch rows each, 64-byte aligned
    float* in[kBatch + kMaxContextWords];
    float* target[kBatch];
    float* negative[kMaxNegative];
    std::uint32_t target_id[kBatch];
    std::size_t centre[kBatch], lo[kBatch], hi[kBatch];
    std::uint32_t negatives[2][kMaxNegative];  // this minibatch's and the next one's
    Scratch(const BatchCbowNs&, const ModelWeights& w)
        : h(kBatch, w.input.cols()), e(kBatch, w.input.cols()) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    if (n < 2) return;  // no position has a context
    const std::size_t stride = w.input.stride();
    draw_negatives(w, rng, s.negatives[0]);
    prefetch(sentence, n, 0, w);
    for (std::size_t start = 0, round = 0; start < n; start += kBatch, ++round) {
      const std::size_t end = std::min(n, start + kBatch);
      const std::uint32_t* negatives = s.negatives[round & 1];
      if (end < n) {
        draw_negatives(w, rng, s.negatives[(round & 1) ^ 1]);
        prefetch(sentence, n, end, w);
      }

      // Each position's window, in sentence positions first, then relative to the reach.
      std::size_t first = n, last = 0, b = 0;
      for (std::size_t i = start; i < end; ++i, ++b) {
        const ContextWindow window = draw_(i, n, rng);
        s.centre[b] = i;
        s.lo[b] = window.lo;
        s.hi[b] = window.hi;
        first = std::min(first, s.lo[b]);
        last = std::max(last, s.hi[b]);
        s.target_id[b] = sentence[i];
        s.target[b] = w.output.row(sentence[i]);
      }
      for (std::size_t p = first; p <= last; ++p) s.in[p - first] = w.input.row(sentence[p]);
      for (std::size_t j = 0; j < b; ++j) {
        s.centre[j] -= first;
        s.lo[j] -= first;
        s.hi[j] -= first;
      }
      const std::size_t n_negatives = sampler_.count();
      for (std::size_t k = 0; k < n_negatives; ++k) s.negative[k] = w.output.row(negatives[k]);

      const CbowNsBatch<float> batch{
          s.in,     last - first + 1, b,          s.centre,  s.lo,       s.hi,
          s.target, s.target_id,      s.negative, negatives, n_negatives};
      stats.loss += cbow_ns_batch_step(batch, stride, lr, ContextStep::kWhole,
                                       CbowNsBatchScratch<float>{s.h.data(), s.e.data()});
      stats.examples += b;
    }
  }

 private:
  // A minibatch's negatives, all kept (a negative equal to a position's own target is masked
  // for that position only, in cbow_ns_batch_step); their rows prefetched.
  void draw_negatives(const ModelWeights& w, Rng& rng, std::uint32_t* out) const noexcept {
    prefetch_rows(w.output, out, sampler_.draw(rng, NegativeSampler::kKeepAll, out));
  }

  // The rows of the minibatch starting at position start that the previous one did not touch:
  // its targets' output rows and the input rows entering its windows.
  void prefetch(const std::uint32_t* sentence, std::size_t n, std::size_t start,
                const ModelWeights& w) const noexcept {
    const std::size_t end = std::min(n, start + kBatch);
    for (std::size_t i = start; i < end; ++i) {
      prefetch_for_write(w.output.row(sentence[i]), w.output.stride());
    }
    const std::size_t from = start == 0 ? 0 : std::min(n, start + draw_.window());
    for (std::size_t p = from; p < std::min(n, end + draw_.window()); ++p) {
      prefetch_for_write(w.input.row(sentence[p]), w.input.stride());
    }
  }

  NegativeSampler sampler_;
  WindowDraw draw_;
};

W2V_ISA_END
}  // namespace w2v
