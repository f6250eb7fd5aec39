#pragma once
// A w2vd model as fastText's .bin holds it (core/io/fasttext_bin.h), and back: what an import
// of a fastText model stores and what the fastText export writes.
//
// The two hold the same things under other names: fastText's input matrix is the state's input
// rows with subwords, or the published vectors without (bucket 0); its dictionary is the
// vocabulary and the state's counts; its output matrix is the state's output rows. The losses
// map one to one; hierarchical softmax builds the same Huffman tree from the same counts in
// both (word2vec's two-queue method), with inner node k at output row k, but fastText trains a
// node towards its code bit where w2vd (as word2vec) trains it towards 1 − code, so those rows
// change sign both ways (fastText's output matrix has a row per word; the last is unused).
// A word's published vector is the mean of its rows (core/train/subword_vectors.h), as
// fastText's print-word-vectors gives it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"
#include "core/io/fasttext_bin.h"
#include "core/train/train_params.h"
#include "core/train/training_state.h"

namespace w2v {

struct ConvertedModel {
  std::vector<std::string> words;  // as the file has them, most frequent first
  Matrix vectors;                  // each word's composed vector
  TrainingState state;             // counts, output rows, n-gram settings and input rows
  TrainParams params;              // what the file says it was trained with
};

// Moves m's parts into a w2vd model. Throws std::invalid_argument when its counts are not in
// descending order (fastText sorts them so; continued training needs it) or its n-gram
// settings are outside what w2vd trains with (ParamLimits).
ConvertedModel from_fasttext(FastTextModel&& m);

// Writes the fastText file of a model to path (atomically): its words, published vectors,
// training state (counts and output rows; with subwords, the input rows) and the parameters it
// was trained with. Without a state (an imported word2vec model) the counts are unknown: the
// words get descending made-up counts (fastText needs them sorted) and a zero output matrix.
void save_fasttext_model(const std::string& path, std::span<const std::string_view> words,
                         MatrixView vectors, const TrainingState* state, const TrainParams& params);

}  // namespace w2v
