#pragma once
// The training vocabulary: words at or above min_count, at most max_vocab of them, sorted by
// descending count (ties by bytes, so the order is deterministic). Id 0 is the most frequent.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/text/word_counts.h"
#include "core/text/word_table.h"

namespace w2v {

struct VocabularyOptions {
  std::uint64_t min_count = 5;
  std::size_t max_vocab = 0;  // 0: no limit
};

class Vocabulary {
 public:
  static constexpr std::int32_t kAbsent = -1;

  Vocabulary() = default;
  static Vocabulary build(const WordCounts& counts, const VocabularyOptions& options);
  // Words in the given order (must be distinct), e.g. rows of a vectors file; counts may be
  // empty when unknown.
  static Vocabulary from_words(const std::vector<std::string_view>& words,
                               std::vector<std::uint64_t> counts = {});

  std::size_t size() const noexcept { return counts_.size(); }
  bool empty() const noexcept { return counts_.empty(); }
  std::int32_t id(std::string_view word) const noexcept {
    const std::uint32_t i = table_.find(word);
    return i == WordTable::kNotFound ? kAbsent : static_cast<std::int32_t>(i);
  }
  std::string_view word(std::size_t id) const noexcept {
    return table_.word(static_cast<std::uint32_t>(id));
  }
  std::uint64_t count(std::size_t id) const noexcept { return counts_[id]; }
  const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
  // Sum of the counts of the vocabulary's words: the tokens one epoch trains on.
  std::uint64_t total_count() const noexcept { return total_; }
  std::vector<std::string_view> words() const;

 private:
  WordTable table_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace w2v
