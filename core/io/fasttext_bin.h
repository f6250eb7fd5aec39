#pragma once
// fastText's model file (.bin), as `fasttext skipgram`/`cbow` write it and as the published
// pre-trained models (cc.<lang>.300.bin) are: read and written, unsupervised and unquantised.
// All values are little-endian (fastText writes its memory as is; every machine w2vd runs on is
// little-endian):
//   int32 magic 793712314, int32 version (11 or 12)
//   args: int32 dim, ws, epoch, min_count, neg, word_ngrams, loss, model, bucket, minn, maxn,
//         lr_update_rate; float64 t
//   dictionary: int32 size, nwords, nlabels; int64 ntokens, pruneidx_size; size entries of
//         (word bytes, '\0', int64 count, int8 type); pruneidx_size pairs of int32
//   input: uint8 quantised, int64 rows (nwords + bucket), int64 cols (dim), rows × cols float32
//   output: uint8 quantised, int64 rows (nwords), int64 cols, rows × cols float32
// Supervised models (labels, model 3) and quantised ones (.ftz) are refused with a message that
// says so. Loading checks every count against the bytes the input still has before it allocates
// anything, and rejects non-finite values, so a lying or damaged file costs nothing; every
// error is a VectorsFormatError (core/io/vectors_io.h) that says what and where.

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/matrix.h"

namespace w2v {

// fastText's Args as the file has them (its enums' values: loss hs 1, ns 2, softmax 3, ova 4;
// model cbow 1, sg 2, sup 3).
struct FastTextArgs {
  static constexpr std::int32_t kLossHs = 1, kLossNs = 2, kLossSoftmax = 3;
  static constexpr std::int32_t kModelCbow = 1, kModelSkipgram = 2, kModelSupervised = 3;

  std::int32_t dim = 100;
  std::int32_t ws = 5;
  std::int32_t epoch = 5;
  std::int32_t min_count = 5;
  std::int32_t neg = 5;
  std::int32_t word_ngrams = 1;
  std::int32_t loss = kLossNs;
  std::int32_t model = kModelSkipgram;
  std::int32_t bucket = 2'000'000;
  std::int32_t minn = 3;
  std::int32_t maxn = 6;
  std::int32_t lr_update_rate = 100;
  double t = 1e-4;
};

struct FastTextModel {
  FastTextArgs args;
  std::vector<std::string> words;    // most frequent first, as fastText sorts them
  std::vector<std::int64_t> counts;  // per word
  std::int64_t ntokens = 0;          // tokens fastText counted in its corpus
  Matrix input;                      // (words.size() + args.bucket) × args.dim
  Matrix output;                     // words.size() × args.dim
};

struct FastTextLimits {
  static constexpr std::int64_t max_words = 100'000'000;
  static constexpr std::int64_t max_bucket = 100'000'000;
  static constexpr std::int64_t max_dim = 10'000;
  static constexpr std::int32_t max_ngram = 64;  // minn and maxn, in characters
  static constexpr std::size_t max_word_bytes = 4096;
};

// Reads a model from in, of which at most available_bytes remain (the file's or the upload's
// size).
FastTextModel load_fasttext(std::istream& in, std::uint64_t available_bytes);
FastTextModel load_fasttext_file(const std::string& path);

// What a file of these parts holds, without the parts: the sizes are checked as load does.
// Writes words.size() entries; input must have words.size() + args.bucket rows and output
// words.size() rows, both of args.dim columns (std::invalid_argument otherwise). Throws
// std::runtime_error if the stream fails.
struct FastTextParts {
  const FastTextArgs& args;
  std::span<const std::string_view> words;
  std::span<const std::int64_t> counts;
  std::int64_t ntokens;
  MatrixView input;
  MatrixView output;
};
void save_fasttext(std::ostream& out, const FastTextParts& parts);
void save_fasttext_file(const std::string& path, const FastTextParts& parts);  // atomic

}  // namespace w2v
