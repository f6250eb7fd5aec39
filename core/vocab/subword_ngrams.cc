#include "core/vocab/subword_ngrams.h"

#include <algorithm>

namespace w2v {

std::uint32_t fasttext_hash(std::string_view bytes) noexcept {
  std::uint32_t h = 2166136261u;
  for (const char c : bytes) {
    const auto byte = static_cast<std::int8_t>(c);  // sign-extended, as fastText's int8_t cast
    h ^= static_cast<std::uint32_t>(byte);
    h *= 16777619u;
  }
  return h;
}

void append_ngram_rows(std::string_view word, std::uint64_t words, const SubwordSettings& s,
                       std::vector<std::uint32_t>& out) {
  for_each_ngram(word, s.minn, s.maxn, [&](std::string_view ngram) {
    out.push_back(static_cast<std::uint32_t>(words + fasttext_hash(ngram) % s.bucket));
  });
}

SubwordIndex::SubwordIndex(const Vocabulary& vocab, const SubwordSettings& s) {
  offsets_.reserve(vocab.size() + 1);
  offsets_.push_back(0);
  for (std::size_t w = 0; w < vocab.size(); ++w) {
    ids_.push_back(static_cast<std::uint32_t>(w));
    append_ngram_rows(vocab.word(w), vocab.size(), s, ids_);
    offsets_.push_back(ids_.size());
    max_rows_ = std::max(max_rows_, offsets_[w + 1] - offsets_[w]);
  }
  ids_.shrink_to_fit();
}

}  // namespace w2v
