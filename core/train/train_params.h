#pragma once
// Training parameters with word2vec's defaults, their valid ranges, and their validation.
// The API and the command-line tools share these limits.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/enum_names.h"

namespace w2v {

enum class ModelType { kSkipgram, kCbow };
enum class LossType { kNegativeSampling, kHierarchicalSoftmax, kSoftmax };
// How examples are computed: one example at a time (word2vec's loop), or minibatched with shared
// negatives as small matrix products (HogBatch): skip-gram+ns a whole window per centre word,
// CBOW+ns kBatch consecutive centre positions. kAuto picks, per model, the fastest kernel that
// measured equal quality on the bench corpus: batch for skip-gram+ns, pair for everything else
// (CBOW's shared negatives cost analogy accuracy: bench/README.md, "CBOW batch kernel").
enum class KernelType { kAuto, kPair, kBatch };

// The API's names of the enums above, used by to_string/parse_* and by the API's messages.
inline constexpr EnumName<ModelType> kModelNames[] = {
    {ModelType::kSkipgram, "skipgram"},
    {ModelType::kCbow, "cbow"},
};
inline constexpr EnumName<LossType> kLossNames[] = {
    {LossType::kNegativeSampling, "ns"},
    {LossType::kHierarchicalSoftmax, "hs"},
    {LossType::kSoftmax, "softmax"},
};
inline constexpr EnumName<KernelType> kKernelNames[] = {
    {KernelType::kAuto, "auto"},
    {KernelType::kPair, "pair"},
    {KernelType::kBatch, "batch"},
};

// The table of each enum, by type: enum_names(ModelType{}) (core/train/param_table.h).
constexpr const auto& enum_names(ModelType) noexcept {
  return kModelNames;
}
constexpr const auto& enum_names(LossType) noexcept {
  return kLossNames;
}
constexpr const auto& enum_names(KernelType) noexcept {
  return kKernelNames;
}

std::string_view to_string(ModelType m) noexcept;  // "skipgram" | "cbow"
std::string_view to_string(LossType l) noexcept;   // "ns" | "hs" | "softmax"
std::optional<ModelType> parse_model_type(std::string_view s) noexcept;
std::optional<LossType> parse_loss_type(std::string_view s) noexcept;
std::string_view to_string(KernelType k) noexcept;  // "auto" | "pair" | "batch"
std::optional<KernelType> parse_kernel_type(std::string_view s) noexcept;

template <class T>
struct Range {
  T min, max;
  bool contains(T v) const noexcept { return v >= min && v <= max; }
};

struct ParamLimits {
  static constexpr Range<int> dim{1, 4096};
  static constexpr Range<int> window{1, 100};
  static constexpr Range<int> negative{1, 64};
  static constexpr Range<std::int64_t> min_count{1, 1'000'000'000};
  static constexpr Range<std::int64_t> max_vocab{0, 100'000'000};
  static constexpr Range<double> sample{0.0, 1.0};
  static constexpr Range<int> epochs{1, 1000};
  static constexpr Range<double> alpha{1e-6, 1.0};
  static constexpr Range<int> threads{0, 1024};
  // Subwords (fastText's n-grams): lengths in characters, and the rows n-grams hash into. The
  // bucket's bound keeps every row id (vocabulary + bucket) within 32 bits.
  static constexpr Range<int> minn{1, 32};
  static constexpr Range<int> maxn{0, 32};
  static constexpr Range<std::int64_t> bucket{1, 100'000'000};
};

// The most context words one position can have: both sides of the largest window.
inline constexpr std::size_t kMaxContextWords =
    2 * static_cast<std::size_t>(ParamLimits::window.max);

// The job parameters. Each is declared, with its default, range and help, in the table of
// core/train/param_table.h, which everything that lists them iterates.
struct TrainParams {
  ModelType model = ModelType::kSkipgram;
  LossType loss = LossType::kNegativeSampling;
  KernelType kernel = KernelType::kAuto;  // batch applies to ns (skipgram, cbow); others use pair
  int dim = 100;
  int window = 5;
  // word2vec's window draw: each position's window uniformly from 1..window; false: the full
  // window at every position (gensim's shrink_windows=False). core/train/walk_window.h.
  bool shrink_windows = true;
  int negative = 5;
  std::int64_t min_count = 5;
  std::int64_t max_vocab = 0;  // 0: unlimited
  double sample = 1e-4;
  int epochs = 5;
  double alpha = 0;  // 0: the model's default (0.025 skip-gram, 0.05 CBOW)
  int threads = 0;   // 0: every core
  std::uint64_t seed = 1;
  // Subwords (Bojanowski et al. 2017, fastText's minn, maxn, bucket): with maxn > 0 a word's
  // input vector is the mean of its own row and the rows of its character n-grams of minn..maxn
  // characters, hashed into bucket rows after the words' (core/vocab/subword_ngrams.h). maxn 0
  // (the default) is word2vec's model, unchanged.
  int minn = 3;
  int maxn = 0;
  std::int64_t bucket = 2'000'000;

  bool subwords() const noexcept { return maxn > 0; }
  // Rows of the input matrix for a vocabulary of vocab_size words: one per word, plus bucket
  // with subwords.
  std::size_t input_rows(std::size_t vocab_size) const noexcept {
    return vocab_size + (subwords() ? static_cast<std::size_t>(bucket) : 0);
  }

  double effective_alpha() const noexcept;
  // The kernel train() runs: kPair or kBatch (batch only with ns).
  KernelType effective_kernel() const noexcept;
  int effective_threads() const noexcept;

  bool operator==(const TrainParams&) const = default;
};

// The first parameter out of range, as "dim must be an integer in [1, 4096], got 0", or the
// first combination that cannot train (cross_check); nullopt when all are valid. Names are the
// API's field names (the ranges are the table's: core/train/param_table.h).
std::optional<std::string> validate(const TrainParams& p);
// The combinations of valid values that cannot train, as "minn must be at most maxn (6) ...",
// starting with the field to blame: minn > maxn with subwords on, kernel batch for cbow with
// subwords (CBOW's subword walk is the pair walk).
std::optional<std::string> cross_check(const TrainParams& p);

}  // namespace w2v
