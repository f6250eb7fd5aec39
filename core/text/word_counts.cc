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

CountsHeader for_each_count(
    std::istream& in, const std::function<void(std::string_view word, std::uint64_t count)>& f) {
  std::string magic;
  int version = 0;
  CountsHeader h;
  if (!(in >> magic >> version >> h.distinct >> h.tokens >> h.sentences) ||
      magic != "w2v-word-counts" || version != 1 || in.get() != '\n') {
    throw std::runtime_error("word counts: bad header");
  }
  std::string line;
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < h.distinct; ++i) {
    if (!std::getline(in, line)) throw std::runtime_error("word counts: truncated");
    const auto where = [&] { return "word counts line " + std::to_string(i + 2); };
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size()) {
      throw std::runtime_error(where() + ": expected 'count word'");
    }
    std::uint64_t c = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + space, c);
    if (ec != std::errc() || end != line.data() + space) {
      throw std::runtime_error(where() + ": bad count");
    }
    const std::string_view w = std::string_view(line).substr(space + 1);
    if (std::any_of(w.begin(), w.end(), [](char ch) { return !detail::is_word_byte(ch); })) {
      throw std::runtime_error(where() + ": a word cannot contain whitespace");
    }
    if (c > h.tokens - sum) throw std::runtime_error(where() + ": counts exceed the token total");
    sum += c;
    f(w, c);
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    throw std::runtime_error("word counts: unexpected data after the last word");
  }
  if (sum != h.tokens) throw std::runtime_error("word counts: counts do not add up to tokens");
  return h;
}

WordCounts WordCounts::load(std::istream& in) {
  return load(in, [](std::string_view, std::uint64_t) { return true; });
}

WordCounts WordCounts::load(
    std::istream& in, const std::function<bool(std::string_view word, std::uint64_t count)>& keep) {
  WordCounts wc;
  std::uint64_t line = 1;
  const CountsHeader h = for_each_count(in, [&](std::string_view w, std::uint64_t c) {
    ++line;
    if (!keep(w, c)) return;
    // A word twice would give two counts one id: the table's ids and the counts must agree.
    if (wc.table_.intern(w) != wc.counts_.size()) {
      throw std::runtime_error("word counts line " + std::to_string(line) + ": duplicate word");
    }
    wc.counts_.push_back(c);
  });
  wc.tokens_ = h.tokens;
  wc.sentences_ = h.sentences;
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
