#pragma once
// What training a model further needs beyond its vectors: the output weights (one row per word
// for negative sampling and softmax, one per inner Huffman node for hierarchical softmax) and
// the count of every vocabulary word. A model keeps them in a file of w2vd's own beside its
// word2vec vectors file; exports stay word2vec's formats.
//
// With subwords (params maxn > 0) the model's vectors file holds each word's composed vector
// (the mean of its rows), so the state also keeps the input matrix itself: the words' own rows
// and the n-gram bucket rows, which continued training starts from and a vector for any word
// is composed from (core/train/subword_vectors.h).
//
// The file (little-endian):
//   header  "W2VDTRST", u32 version (1 without subwords, 2 with), u32 loss (0 ns, 1 hs,
//           2 softmax), u64 words, u64 dim, u64 output rows, u64 hash of the vocabulary's
//           words in order, u64 checksum of the payload
//   version 2 only: u32 minn, u32 maxn, u64 bucket
//   payload u64 count per word, then output rows × dim float32; version 2 then
//           (words + bucket) × dim float32, the input rows
// Loading checks every field against the vectors it belongs to (words, dimension), the file's
// size against the header, and the checksum, so a torn, foreign or mismatched file is refused
// rather than trained on.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"
#include "core/train/ngram_rows.h"
#include "core/train/train_params.h"
#include "core/vocab/subword_ngrams.h"

namespace w2v {

// The newest version this w2vd reads and writes (it writes version 1 without subwords).
inline constexpr std::uint32_t kTrainingStateVersion = 2;

struct TrainingState {
  LossType loss = LossType::kNegativeSampling;
  std::vector<std::uint64_t> counts;  // per word, in the vectors file's order
  Matrix output;                      // output_rows(loss, counts.size()) × dim
  // Subwords: the n-gram settings (maxn 0: none) and the input rows, (words + bucket) × dim.
  SubwordSettings subwords{};
  Matrix input;
};

class TrainingStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes atomically (core/base/atomic_file.h). words are the vocabulary in row order. With
// subwords the input rows written are *input when given (a job's weights, written without a
// copy), else state.input.
void save_training_state(const std::string& path, std::span<const std::string_view> words,
                         const TrainingState& state, const Matrix* input = nullptr);
// Reads the state of the vectors whose words (in row order) and dimension are given. Throws
// TrainingStateError saying what is wrong: missing, not a state file, a newer version, another
// vocabulary or dimension, truncated, or a checksum mismatch.
TrainingState load_training_state(const std::string& path, std::span<const std::string_view> words,
                                  std::size_t dim);

// The n-gram bucket rows of the state at path (of the vectors whose words and dimension are
// given), read in place: the file is mapped (core/base/mapped_file.h) and its header checked as
// load_training_state checks it, but not the payload's checksum, which would read every byte
// (verify_training_state does, for `w2vd check`). Rows null (subwords disabled) for a state
// without subwords. Throws TrainingStateError as load_training_state does.
NgramRows map_ngram_rows(const std::string& path, std::span<const std::string_view> words,
                         std::size_t dim);

// Reads the whole state at path and checks its header against its size and its payload's
// checksum (not which vectors it belongs to); returns its size in bytes. Throws
// TrainingStateError saying what is wrong.
std::uint64_t verify_training_state(const std::string& path);

// The n-gram settings of the state at path, from its header alone: disabled (maxn 0) when the
// model was trained without subwords or has no state file. Throws TrainingStateError when the
// file is not a state file or its settings are invalid.
SubwordSettings training_state_subwords(const std::string& path);

// The hash the header keeps of a vocabulary: its words in order.
std::uint64_t vocabulary_hash(std::span<const std::string_view> words) noexcept;

}  // namespace w2v
