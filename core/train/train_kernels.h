#pragma once
// The table of what core/train compiles once per instruction set (core/base/isa.h): the whole
// training loop of every model, loss and kernel (so a walk and the kernels it calls are compiled
// together for one instruction set, and inlined into one another), and the float kernel steps
// themselves, which the tests run through the table to check each instruction set's float path
// against the double-precision reference.
//
// train_kernels.cc is the unit compiled once per instruction set; each copy defines its table
// in its own namespace (core/base/isa_namespace.h), and train_kernels(isa) picks one.

#include <cstddef>
#include <cstdint>

#include "core/base/isa.h"
#include "core/train/kernel_cbow_ns_batch.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/train/trainer.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v {

struct TrainKernels {
  Isa isa;
  // train() after its checks: runs the walk of params.model, params.loss and
  // params.effective_kernel(). Throws std::logic_error when no walk exists for them.
  TrainOutcome (*train)(const EncodedCorpus& corpus, const Vocabulary& vocab,
                        const TrainParams& params, ModelWeights& weights, const TrainHooks& hooks,
                        int start_epoch);

  // The float kernel steps, as core/train/kernel_*.h declare them.
  float (*negative_sampling_batch_step)(float* const* in, std::size_t b, float* const* out,
                                        std::size_t k1, std::size_t n, float lr, float* d_out,
                                        float* scores) noexcept;
  float (*cbow_ns_batch_step)(const CbowNsBatch<float>& m, std::size_t n, float lr,
                              ContextStep step, const CbowNsBatchScratch<float>& s) noexcept;
  float (*logistic_step)(const float* h, float* h_update, float* const* rows,
                         const std::uint8_t* labels, std::size_t n_rows, std::size_t dim,
                         float lr) noexcept;
  float (*softmax_step)(const float* h, float* h_update, float* out, std::size_t out_stride,
                        std::size_t n_rows, std::uint32_t target, std::size_t dim, float lr,
                        float* scores) noexcept;
  // Subword skip-gram's batch step (core/train/kernel_subword.h): h composed from rows[0..c)
  // (ones: c ones), skipgram_ns_window_step on out, the update scattered with input_step.
  float (*subword_window_step)(const float* ones, float* const* rows, std::size_t c, float* h,
                               float* h_update, float* const* out, const std::uint32_t* out_id,
                               std::size_t b, std::size_t k, std::size_t n, float lr,
                               float input_step) noexcept;
  // The vector primitives (core/base/vec_ops.h) the steps are made of.
  float (*dot)(const float* a, const float* b, std::size_t n) noexcept;
  void (*add_combination)(const float* coef, const float* const* rows, std::size_t m, float* y,
                          std::size_t n) noexcept;
};

// The table of isa, which must be one of compiled_isas(); the active one by default.
const TrainKernels& train_kernels(Isa isa = active_isa()) noexcept;

}  // namespace w2v
