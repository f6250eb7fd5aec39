#pragma once
// CBOW with subwords (docs/math.md §11), as fastText's cbow: the input is the mean over the
// rows of every context word (each word's own row and its n-grams' rows, the lists
// concatenated, so a word with more n-grams weighs more), it predicts the centre word through
// the loss, and every one of those rows receives the whole −lr·∂J/∂h.
//
// Not fastText's loop, which composes and scatters all the rows of the window (about 2·window
// words × 20 rows) at every position: positions go in blocks of kBlock, and each word of the
// block's reach is composed once (the sum of its rows) and scattered once (the sum of the
// updates of the positions whose context holds it), so a row is read and written once per block
// instead of once per position holding it. Within a block every position's h is taken from the
// rows as they were at the block's start (as BatchCbowNs's minibatch does); the output rows are
// stepped position after position by the objective. Any objective; kernel batch is refused with
// subwords.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/isa_namespace.h"
#include "core/base/matrix.h"
#include "core/base/rng.h"
#include "core/base/vec_ops.h"
#include "core/train/model_weights.h"
#include "core/train/subword_rows.h"
#include "core/train/train_params.h"
#include "core/train/training_contracts.h"
#include "core/train/walk_window.h"
#include "core/vocab/subword_ngrams.h"
#include "core/vocab/vocabulary.h"

namespace w2v {
W2V_ISA_BEGIN

// A Walk (core/train/training_contracts.h).
template <Objective Loss>
class SubwordCbow {
 public:
  // Centre positions per block.
  static constexpr std::size_t kBlock = 8;

  SubwordCbow(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), draw_(params), index_(vocab, subword_settings(params)) {}

  struct Scratch {
    ComposedInput input;        // one word's rows; h and h_update
    Matrix sums, updates;       // per position of the reach: its rows' sum, its summed update
    std::vector<float> counts;  // per position of the reach: its rows
    std::vector<const float*> context;
    std::vector<float> ones;
    std::size_t lo[kBlock], hi[kBlock];
    typename Loss::Scratch loss;
    Scratch(const SubwordCbow& walk, const ModelWeights& w)
        : input(walk.index_.max_rows(), w.input.cols()),
          sums(kBlock + 2 * walk.draw_.window(), w.input.cols()),
          updates(kBlock + 2 * walk.draw_.window(), w.input.cols()),
          counts(kBlock + 2 * walk.draw_.window()),
          context(kBlock + 2 * walk.draw_.window()),
          ones(kBlock + 2 * walk.draw_.window(), 1.0f),
          loss(walk.loss_, w) {}
  };

  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    float* h = s.input.hidden.row(0);
    float* h_update = s.input.hidden.row(1);
    for (std::size_t start = 0; start < n; start += kBlock) {
      const std::size_t end = std::min(n, start + kBlock);
      std::size_t first = n, last = 0;
      for (std::size_t i = start; i < end; ++i) {
        const ContextWindow window = draw_(i, n, rng);
        s.lo[i - start] = window.lo;
        s.hi[i - start] = window.hi;
        first = std::min(first, window.lo);
        last = std::max(last, window.hi);
      }
      // Each word of the reach composed once: the sum of its rows.
      for (std::size_t p = first; p <= last; ++p) {
        const std::size_t c = s.input.add(index_, sentence[p], w.input, 0);
        float* sum = s.sums.row(p - first);
        zero(sum, stride);
        add_combination(s.input.ones.data(), s.input.rows.data(), c, sum, stride);
        s.counts[p - first] = static_cast<float>(c);
        zero(s.updates.row(p - first), stride);
      }
      for (std::size_t i = start; i < end; ++i) {
        const std::size_t lo = s.lo[i - start], hi = s.hi[i - start];
        if (lo == hi) continue;  // a sentence of one word
        std::size_t m = 0;
        float rows = 0;
        for (std::size_t p = lo; p <= hi; ++p) {
          if (p == i) continue;
          s.context[m++] = s.sums.row(p - first);
          rows += s.counts[p - first];
        }
        zero(h, stride);
        add_combination(s.ones.data(), s.context.data(), m, h, stride);
        const float inv = 1.0f / rows;
        for (std::size_t t = 0; t < stride; ++t) h[t] *= inv;
        zero(h_update, stride);
        stats.loss += loss_.update(h, h_update, sentence[i], w.output, lr, rng, s.loss);
        ++stats.examples;
        for (std::size_t p = lo; p <= hi; ++p) {
          if (p != i) axpy(1.0f, h_update, s.updates.row(p - first), stride);
        }
      }
      // Each word of the reach scattered once: every row receives the word's summed update.
      for (std::size_t p = first; p <= last; ++p) {
        const float* update = s.updates.row(p - first);
        for (const std::uint32_t r : index_.rows(sentence[p])) {
          axpy(1.0f, update, w.input.row(r), stride);
        }
      }
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
  SubwordIndex index_;
};

W2V_ISA_END
}  // namespace w2v
