#include "core/vocab/vocabulary.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace w2v {

Vocabulary Vocabulary::build(const WordCounts& counts, const VocabularyOptions& options) {
  std::vector<std::uint32_t> kept;
  kept.reserve(counts.distinct());
  for (std::uint32_t id = 0; id < counts.distinct(); ++id) {
    if (counts.count(id) >= options.min_count) kept.push_back(id);
  }
  std::sort(kept.begin(), kept.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t ca = counts.count(a), cb = counts.count(b);
    if (ca != cb) return ca > cb;
    return counts.word(a) < counts.word(b);
  });
  if (options.max_vocab > 0 && kept.size() > options.max_vocab) kept.resize(options.max_vocab);

  Vocabulary v;
  v.table_ = WordTable(kept.size());
  v.counts_.reserve(kept.size());
  for (std::uint32_t id : kept) {
    v.table_.intern(counts.word(id));
    v.counts_.push_back(counts.count(id));
  }
  v.total_ = std::accumulate(v.counts_.begin(), v.counts_.end(), std::uint64_t{0});
  return v;
}

Vocabulary Vocabulary::from_words(const std::vector<std::string_view>& words,
                                  std::vector<std::uint64_t> counts) {
  if (!counts.empty() && counts.size() != words.size()) {
    throw std::invalid_argument("vocabulary: words and counts differ in length");
  }
  Vocabulary v;
  v.table_ = WordTable(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (v.table_.intern(words[i]) != i) {
      throw std::invalid_argument("vocabulary: duplicate word '" + std::string(words[i]) + "'");
    }
  }
  v.counts_ = counts.empty() ? std::vector<std::uint64_t>(words.size(), 0) : std::move(counts);
  v.total_ = std::accumulate(v.counts_.begin(), v.counts_.end(), std::uint64_t{0});
  return v;
}

std::vector<std::string_view> Vocabulary::words() const {
  std::vector<std::string_view> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) out.push_back(word(i));
  return out;
}

}  // namespace w2v
