// Fuzzes the evaluation file readers behind POST /v1/models/{id}/evaluate: questions-words
// analogies and word-pair similarity lists, read against a small fixed model. Properties: the
// tallies are consistent (correct <= covered <= questions, sections add up to the totals) and
// the correlations are finite and within [-1, 1]. Malformed files are EvaluationFormatErrors.
#include "core/search/evaluation.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"

namespace {

using namespace w2v;

const Embeddings& model() {
  static const Embeddings emb = [] {
    std::vector<std::string> words = {"king", "queen", "man", "woman",  "paris", "france",
                                      "rome", "italy", "big", "bigger", "King",  "a"};
    constexpr std::size_t kDim = 8;
    Matrix vectors(words.size(), kDim);
    std::uint32_t x = 12345;
    for (std::size_t r = 0; r < words.size(); ++r) {
      for (std::size_t c = 0; c < kDim; ++c) {
        x = x * 1664525u + 1013904223u;
        vectors.row(r)[c] = static_cast<float>(x >> 8) / static_cast<float>(1u << 24) - 0.5f;
      }
    }
    return Embeddings(std::move(words), std::move(vectors));
  }();
  return emb;
}

bool in_unit_range(double v) {
  return std::isfinite(v) && v >= -1.0 - 1e-9 && v <= 1.0 + 1e-9;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool analogies = in.ConsumeBool();
  const bool case_insensitive = in.ConsumeBool();
  const std::size_t restrict_vocab = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  std::istringstream text(in.ConsumeRemainingBytesAsString());
  try {
    if (analogies) {
      AnalogyOptions options;
      options.case_insensitive = case_insensitive;
      options.restrict_vocab = restrict_vocab;
      options.method = restrict_vocab % 2 ? AnalogyMethod::kMul : AnalogyMethod::kAdd;
      const AnalogyScores s = evaluate_analogies(model(), text, options);
      FUZZ_CHECK(s.correct <= s.covered && s.covered <= s.questions);
      std::size_t questions = 0, covered = 0, correct = 0;
      for (const AnalogySection& sec : s.sections) {
        FUZZ_CHECK(sec.correct <= sec.covered && sec.covered <= sec.questions);
        questions += sec.questions;
        covered += sec.covered;
        correct += sec.correct;
      }
      FUZZ_CHECK(questions == s.questions && covered == s.covered && correct == s.correct);
      FUZZ_CHECK(s.semantic_covered + s.syntactic_covered == s.covered);
      FUZZ_CHECK(s.semantic_correct + s.syntactic_correct == s.correct);
    } else {
      PairOptions options;
      options.case_insensitive = case_insensitive;
      options.restrict_vocab = restrict_vocab;
      const PairScores s = evaluate_pairs(model(), text, options);
      FUZZ_CHECK(s.used <= s.pairs);
      FUZZ_CHECK(in_unit_range(s.spearman) && in_unit_range(s.pearson));
    }
  } catch (const EvaluationFormatError&) {
  }
  return 0;
}
