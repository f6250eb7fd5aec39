#pragma once
// Counts of every distinct word in a text, with its token, sentence and byte totals: what a
// corpus record keeps so a vocabulary can be built without reading the text again.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/tokenizer.h"
#include "core/text/word_table.h"

namespace w2v {

class WordCounts {
 public:
  void add(std::string_view word) {
    const std::uint32_t id = table_.intern(word);
    if (id == counts_.size()) counts_.push_back(0);
    ++counts_[id];
    ++tokens_;
  }
  void end_sentence() { ++sentences_; }

  std::size_t distinct() const noexcept { return counts_.size(); }
  std::uint64_t tokens() const noexcept { return tokens_; }
  std::uint64_t sentences() const noexcept { return sentences_; }
  std::string_view word(std::uint32_t id) const noexcept { return table_.word(id); }
  std::uint64_t count(std::uint32_t id) const noexcept { return counts_[id]; }
  // The count of word, 0 when absent.
  std::uint64_t count_of(std::string_view word) const noexcept;

  // One line per word, "count word\n", in id order, after a header line
  // "w2v-word-counts 1 <distinct> <tokens> <sentences>". Words hold no whitespace, so the format
  // is unambiguous for any bytes.
  void save(std::ostream& out) const;
  // Throws std::runtime_error on a malformed stream.
  static WordCounts load(std::istream& in);
  // Only the words keep(word, count) accepts (the totals stay the file's): memory in proportion
  // to what is kept, not to every distinct word of the text. A kept word twice is an error.
  static WordCounts load(
      std::istream& in,
      const std::function<bool(std::string_view word, std::uint64_t count)>& keep);

 private:
  WordTable table_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t tokens_ = 0;
  std::uint64_t sentences_ = 0;
};

// A tokenizer sink that counts into a WordCounts.
struct CountingSink {
  WordCounts& counts;
  void on_word(std::string_view w) { counts.add(w); }
  void on_sentence_end() { counts.end_sentence(); }
};

// The totals of a counts file, from its header.
struct CountsHeader {
  std::uint64_t distinct = 0;
  std::uint64_t tokens = 0;
  std::uint64_t sentences = 0;
};
// Reads a counts file (WordCounts::save's format) one line at a time, calling
// f(word, count) for each, holding nothing: its memory does not grow with the file. Checks what
// it can without a table (the header, each line, that the counts add up to the tokens) and
// throws std::runtime_error naming what is wrong.
CountsHeader for_each_count(
    std::istream& in, const std::function<void(std::string_view word, std::uint64_t count)>& f);

// Tokenizes and counts a whole file, streaming it.
WordCounts count_words_in_file(const std::string& path);

}  // namespace w2v
