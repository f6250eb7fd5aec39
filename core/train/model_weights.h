#pragma once
// The parameters training updates: the input matrix (one row per word: the vectors users get;
// with subwords, then one row per n-gram bucket, and users get each word's mean of its rows)
// and the output matrix (one row per word for negative sampling and softmax, one per inner
// Huffman node for hierarchical softmax).

#include <cstdint>
#include <string>

#include "core/base/matrix.h"
#include "core/train/train_params.h"

namespace w2v {

struct ModelWeights {
  Matrix input;
  Matrix output;
};

// Initialised as docs/math.md §9 says: input uniform in [−0.5/d, 0.5/d] (with subwords, every
// row of the params.input_rows(vocab_size) uniform in [−1/d, 1/d], as fastText), output zero.
ModelWeights make_initial_weights(std::size_t vocab_size, const TrainParams& params);

// Rows of the output matrix the loss needs for a vocabulary of vocab_size words.
std::size_t output_rows(LossType loss, std::size_t vocab_size) noexcept;

// A checkpoint: the weights after `epochs_done` epochs, written atomically.
void save_checkpoint(const std::string& path, const ModelWeights& weights, int epochs_done);
struct Checkpoint {
  ModelWeights weights;
  int epochs_done = 0;
};
// Throws std::runtime_error when the file is missing, truncated or not a checkpoint.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace w2v
