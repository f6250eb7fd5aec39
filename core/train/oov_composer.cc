#include "core/train/oov_composer.h"

#include <algorithm>
#include <stdexcept>

namespace w2v {

OovComposer::OovComposer(Matrix input, std::span<const std::string_view> vocabulary,
                         const SubwordSettings& s)
    : input_(std::move(input)), words_(vocabulary.size()), settings_(s) {
  if (!s.enabled() || input_.rows() != words_ + s.bucket) {
    throw std::invalid_argument("oov composer: the input rows do not fit the words and buckets");
  }
  known_.assign((s.bucket + 63) / 64, 0);
  for (const std::string_view w : vocabulary) {
    for_each_ngram(w, s.minn, s.maxn, [&](std::string_view ngram) {
      const std::uint64_t b = fasttext_hash(ngram) % s.bucket;
      known_[b / 64] |= std::uint64_t{1} << (b % 64);
    });
  }
}

bool OovComposer::compose(std::string_view word, std::span<float> out) const {
  const std::size_t d = dim();
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(d), 0.0f);
  std::size_t rows = 0;
  bool any_known = false;
  // The same sum, in the same order, as compose_word_vector: the answers are bit-equal.
  for_each_ngram(word, settings_.minn, settings_.maxn, [&](std::string_view ngram) {
    const std::uint64_t b = fasttext_hash(ngram) % settings_.bucket;
    any_known = any_known || known(b);
    const float* v = input_.row(words_ + b);
    for (std::size_t i = 0; i < d; ++i) out[i] += v[i];
    ++rows;
  });
  if (!any_known) return false;
  const float inv = 1.0f / static_cast<float>(rows);
  for (std::size_t i = 0; i < d; ++i) out[i] *= inv;
  return true;
}

std::size_t OovComposer::memory_bytes() const noexcept {
  return input_.bytes() + known_.capacity() * sizeof(std::uint64_t);
}

std::uint64_t OovComposer::estimate_memory_bytes(std::uint64_t words, std::uint64_t dim,
                                                 const SubwordSettings& s) noexcept {
  const std::uint64_t stride = (dim + kRowAlignFloats - 1) / kRowAlignFloats * kRowAlignFloats;
  return (words + s.bucket) * stride * sizeof(float) + (s.bucket + 63) / 64 * 8;
}

}  // namespace w2v
