#include "core/train/oov_composer.h"

#include <algorithm>
#include <stdexcept>

namespace w2v {

OovComposer::OovComposer(NgramRows rows, std::span<const std::string_view> vocabulary)
    : rows_(std::move(rows)) {
  const SubwordSettings& s = rows_.subwords;
  if (!s.enabled() || rows_.rows == nullptr) {
    throw std::invalid_argument("oov composer: no n-gram rows");
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
  const SubwordSettings& s = rows_.subwords;
  for_each_ngram(word, s.minn, s.maxn, [&](std::string_view ngram) {
    const std::uint64_t b = fasttext_hash(ngram) % s.bucket;
    any_known = any_known || known(b);
    const float* v = rows_.row(b);
    for (std::size_t i = 0; i < d; ++i) out[i] += v[i];
    ++rows;
  });
  if (!any_known) return false;
  const float inv = 1.0f / static_cast<float>(rows);
  for (std::size_t i = 0; i < d; ++i) out[i] *= inv;
  return true;
}

std::size_t OovComposer::memory_bytes() const noexcept {
  return rows_.bytes + known_.capacity() * sizeof(std::uint64_t);
}

std::uint64_t OovComposer::estimate_memory_bytes(std::uint64_t dim,
                                                 const SubwordSettings& s) noexcept {
  return s.bucket * dim * sizeof(float) + (s.bucket + 63) / 64 * 8;
}

}  // namespace w2v
