#include "core/text/word_counts.h"

#include <algorithm>
#include <charconv>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "core/text/file_chunks.h"

namespace w2v {

std::uint64_t WordCounts::count_of(std::string_view word) const noexcept {
  const std::uint32_t id = table_.find(word);
  return id == WordTable::kNotFound ? 0 : counts_[id];
}

void WordCounts::save(std::ostream& out) const {
  out << "w2v-word-counts 1 " << distinct() << ' ' << tokens_ << ' ' << sentences_ << '\n';
  for (std::uint32_t id = 0; id < counts_.size(); ++id) {
    out << counts_[id] << ' ';
    const std::string_view w = table_.word(id);
    out.write(w.data(), static_cast<std::streamsize>(w.size()));
    out.put('\n');
  }
}

WordCounts WordCounts::load(std::istream& in) {
  std::string magic;
  int version = 0;
  std::uint64_t distinct = 0;
  WordCounts wc;
  if (!(in >> magic >> version >> distinct >> wc.tokens_ >> wc.sentences_) ||
      magic != "w2v-word-counts" || version != 1 || in.get() != '\n') {
    throw std::runtime_error("word counts: bad header");
  }
  std::string line;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < distinct; ++i) {
    const std::string where = "word counts line " + std::to_string(i + 2);
    if (!std::getline(in, line)) throw std::runtime_error("word counts: truncated");
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size()) {
      throw std::runtime_error(where + ": expected 'count word'");
    }
    std::uint64_t c = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + space, c);
    if (ec != std::errc() || end != line.data() + space) {
      throw std::runtime_error(where + ": bad count");
    }
    const std::string_view w = std::string_view(line).substr(space + 1);
    if (std::any_of(w.begin(), w.end(), [](char ch) { return !detail::is_word_byte(ch); })) {
      throw std::runtime_error(where + ": a word cannot contain whitespace");
    }
    if (wc.table_.intern(w) != wc.counts_.size())
      throw std::runtime_error(where + ": duplicate word");
    if (c > wc.tokens_ - sum) throw std::runtime_error(where + ": counts exceed the token total");
    wc.counts_.push_back(c);
    sum += c;
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    throw std::runtime_error("word counts: unexpected data after the last word");
  }
  if (sum != wc.tokens_) throw std::runtime_error("word counts: counts do not add up to tokens");
  return wc;
}

WordCounts count_words_in_file(const std::string& path) {
  WordCounts counts;
  CountingSink sink{counts};
  Tokenizer tok;
  for_each_file_chunk(path, [&](std::string_view chunk) { tok.feed(chunk, sink); });
  tok.finish(sink);
  return counts;
}

}  // namespace w2v
