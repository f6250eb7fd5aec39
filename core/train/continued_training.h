#pragma once
// Starting a training job from an existing model instead of from random vectors: the vocabulary
// the job trains (the model's words, plus the new corpus's words when it extends them, with the
// counts of both added up) and the weights it starts from (the model's rows for its words, new
// words initialised as any new word is).
//
// Output weights carry over when the model kept them (core/train/training_state.h): negative
// sampling and softmax have one row per word, carried by word. Hierarchical softmax has one row per
// inner node of the Huffman tree built from the counts, and merged counts change the tree: an inner
// node carries its weights when the parent's tree has a node that splits exactly the same words
// the same way (same words under its 0 branch, same under its 1 branch); the others start at
// zero. A model that kept only its vectors (imported, or trained by an older w2vd) starts every
// output row at zero, as word2vec initialises them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"
#include "core/text/word_counts.h"
#include "core/train/model_weights.h"
#include "core/train/train_params.h"
#include "core/train/training_state.h"
#include "core/vocab/vocabulary.h"
#include "core/vocab/vocabulary_mode.h"

namespace w2v {

// The model a job starts from.
struct ParentModel {
  std::vector<std::string> words;      // in row order
  Matrix input;                        // the vectors, words.size() × dim
  std::optional<TrainingState> state;  // none: the model kept its vectors only
};

struct ContinuationOptions {
  VocabularyMode vocabulary = VocabularyMode::kExtend;
  std::uint64_t min_count = 5;  // for the corpus's new words; the parent's words always stay
  std::size_t max_vocab = 0;    // >0: new words are added only while the total stays within it
};

// The parent's words (never dropped) and, with kExtend, the corpus's words that the parent
// lacks and that occur min_count times or more (most frequent first, within max_vocab). A word's
// count is the parent's (0 when it kept no counts) plus the corpus's. Sorted like any
// vocabulary: descending count, ties by bytes.
Vocabulary continued_vocabulary(const ParentModel& parent, const WordCounts& corpus,
                                const ContinuationOptions& options);

struct ContinuedWeights {
  ModelWeights weights;
  std::size_t words_carried = 0;        // input rows taken from the parent
  std::size_t output_rows_carried = 0;  // output rows taken from the parent
};

// The weights to train vocab (from continued_vocabulary) with params: input rows of the parent's
// words copied, the others drawn as make_initial_weights draws them; output rows as the header
// says. With subwords and a parent state of the same n-gram settings, the state's input rows
// (each word's own row, and the bucket rows) are copied instead of the parent's vectors. Throws std::invalid_argument when params.dim is not the parent's dimension.
ContinuedWeights continued_weights(const ParentModel& parent, const Vocabulary& vocab,
                                   const TrainParams& params);

}  // namespace w2v
