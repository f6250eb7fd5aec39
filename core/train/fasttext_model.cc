#include "core/train/fasttext_model.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/train/model_weights.h"
#include "core/train/subword_vectors.h"

namespace w2v {

namespace {

LossType loss_of(std::int32_t loss) {
  switch (loss) {
    case FastTextArgs::kLossHs:
      return LossType::kHierarchicalSoftmax;
    case FastTextArgs::kLossSoftmax:
      return LossType::kSoftmax;
    default:
      return LossType::kNegativeSampling;
  }
}

std::int32_t fasttext_loss(LossType loss) {
  switch (loss) {
    case LossType::kHierarchicalSoftmax:
      return FastTextArgs::kLossHs;
    case LossType::kSoftmax:
      return FastTextArgs::kLossSoftmax;
    case LossType::kNegativeSampling:
      break;
  }
  return FastTextArgs::kLossNs;
}

// rows × cols of from's first rows, each multiplied by sign.
Matrix copy_rows(const Matrix& from, std::size_t rows, std::size_t cols, float sign) {
  Matrix out(rows, cols);
  for (std::size_t i = 0; i < std::min(rows, from.rows()); ++i) {
    for (std::size_t k = 0; k < cols; ++k) out.row(i)[k] = sign * from.row(i)[k];
  }
  return out;
}

}  // namespace

ConvertedModel from_fasttext(FastTextModel&& m) {
  ConvertedModel out;
  const std::size_t words = m.words.size();
  const auto dim = static_cast<std::size_t>(m.args.dim);
  for (std::size_t i = 1; i < words; ++i) {
    if (m.counts[i] > m.counts[i - 1]) {
      throw std::invalid_argument("the fastText model's word counts are not in descending order");
    }
  }
  TrainParams& p = out.params;
  p.model = m.args.model == FastTextArgs::kModelCbow ? ModelType::kCbow : ModelType::kSkipgram;
  p.loss = loss_of(m.args.loss);
  p.dim = m.args.dim;
  p.window = m.args.ws;
  p.negative = m.args.neg;
  p.min_count = m.args.min_count;
  p.sample = m.args.t;
  p.epochs = m.args.epoch;
  if (m.args.maxn > 0) {  // else the defaults stand: without n-grams they mean nothing
    const auto out_of_range = [](const char* name, std::int64_t v, auto range) {
      if (v >= range.min && v <= range.max) return;
      throw std::invalid_argument(
          std::string(name) + " " + std::to_string(v) + " is outside what w2vd trains with [" +
          std::to_string(range.min) + ", " + std::to_string(range.max) + "]");
    };
    out_of_range("minn", m.args.minn, ParamLimits::minn);
    out_of_range("maxn", m.args.maxn, ParamLimits::maxn);
    out_of_range("bucket", m.args.bucket, ParamLimits::bucket);
    p.minn = m.args.minn;
    p.maxn = m.args.maxn;
    p.bucket = m.args.bucket;
  }

  TrainingState& s = out.state;
  s.loss = p.loss;
  s.counts.assign(m.counts.begin(), m.counts.end());
  const std::size_t output_rows_needed = output_rows(s.loss, words);
  // fastText's hierarchical softmax trains a node towards its code bit, w2vd's towards 1 − code.
  const float sign = s.loss == LossType::kHierarchicalSoftmax ? -1.0f : 1.0f;
  s.output = sign == 1.0f && m.output.rows() == output_rows_needed
                 ? std::move(m.output)
                 : copy_rows(m.output, output_rows_needed, dim, sign);
  if (m.args.maxn > 0) {
    s.subwords = subword_settings(p);
    const std::vector<std::string_view> views(m.words.begin(), m.words.end());
    const Vocabulary vocab = Vocabulary::from_words(views, s.counts);
    out.vectors = composed_word_vectors(m.input, vocab, s.subwords);
    s.input = std::move(m.input);
  } else {
    s.subwords = subword_settings(p);
    out.vectors = m.input.rows() == words ? std::move(m.input) : copy_rows(m.input, words, dim, 1);
  }
  out.words = std::move(m.words);
  return out;
}

void save_fasttext_model(const std::string& path, std::span<const std::string_view> words,
                         MatrixView vectors, const TrainingState* state,
                         const TrainParams& params) {
  const std::size_t n = words.size();
  const std::size_t dim = vectors.cols();
  FastTextArgs a;
  a.dim = static_cast<std::int32_t>(dim);
  a.ws = params.window;
  a.epoch = params.epochs;
  a.min_count = static_cast<std::int32_t>(std::min<std::int64_t>(params.min_count, INT32_MAX));
  a.neg = params.negative;
  a.model =
      params.model == ModelType::kCbow ? FastTextArgs::kModelCbow : FastTextArgs::kModelSkipgram;
  a.t = params.sample;
  const bool subwords = state != nullptr && state->subwords.enabled();
  a.minn = subwords ? state->subwords.minn : 0;
  a.maxn = subwords ? state->subwords.maxn : 0;
  a.bucket = subwords ? static_cast<std::int32_t>(state->subwords.bucket) : 0;

  std::vector<std::int64_t> counts(n);
  std::int64_t ntokens = 0;
  for (std::size_t i = 0; i < n; ++i) {
    counts[i] = state != nullptr ? static_cast<std::int64_t>(state->counts[i])
                                 : static_cast<std::int64_t>(n - i);
    ntokens += counts[i];
  }
  Matrix output_copy;
  MatrixView output;
  if (state == nullptr) {
    a.loss = FastTextArgs::kLossNs;
    output_copy = Matrix(n, dim);
    output = output_copy;
  } else {
    a.loss = fasttext_loss(state->loss);
    if (state->loss == LossType::kHierarchicalSoftmax) {
      output_copy = copy_rows(state->output, n, dim, -1.0f);
      output = output_copy;
    } else {
      output = state->output;
    }
  }
  const MatrixView input = subwords ? MatrixView(state->input) : vectors;
  save_fasttext_file(path, {a, words, counts, ntokens, input, output});
}

}  // namespace w2v
