// Fuzzes the corpus tokenizer and word counting. Properties: the words and sentences do not
// depend on how the text is cut into chunks; they equal a plain reference reading of word2vec's
// rules (reference_tokens below); the counts add up to the tokens; and they survive the stored
// word-counts format (save, then load). (count_words_in_file is left out: with its 1 MiB read
// buffer per input the target ran 2 inputs/s, and it feeds the same tokenizer.)
#include "core/text/tokenizer.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/text/word_counts.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace w2v;

constexpr std::string_view kSentenceEnd = "\n";  // recorded in place of a sentence end

struct Recorder {
  std::vector<std::string> tokens;
  void on_word(std::string_view w) { tokens.emplace_back(w); }
  void on_sentence_end() { tokens.emplace_back(kSentenceEnd); }
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

// word2vec's rules, written as plainly as possible: whitespace separates words, '\n' ends a
// non-empty sentence, words are cut to kMaxTokenBytes bytes.
std::vector<std::string> reference_tokens(std::string_view text) {
  std::vector<std::string> out;
  bool open = false;
  std::string word;
  auto end_word = [&] {
    if (!word.empty()) {
      out.push_back(word.substr(0, kMaxTokenBytes));
      open = true;
    }
    word.clear();
  };
  for (char c : text) {
    if (c == '\n') {
      end_word();
      if (open) out.emplace_back(kSentenceEnd);
      open = false;
    } else if (is_space(c)) {
      end_word();
    } else {
      word += c;
    }
  }
  end_word();
  if (open) out.emplace_back(kSentenceEnd);
  return out;
}

bool same_counts(const WordCounts& a, const WordCounts& b) {
  if (a.distinct() != b.distinct() || a.tokens() != b.tokens() || a.sentences() != b.sentences())
    return false;
  for (std::uint32_t id = 0; id < a.distinct(); ++id) {
    if (a.word(id) != b.word(id) || a.count(id) != b.count(id)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::size_t> cuts(in.ConsumeIntegralInRange<std::size_t>(0, 16));
  for (auto& c : cuts) c = in.ConsumeIntegralInRange<std::size_t>(0, 200);
  const std::string text = in.ConsumeRemainingBytesAsString();

  Recorder pieces;
  Tokenizer tok;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    tok.feed(std::string_view(text).substr(at, cut), pieces);
    at = std::min(text.size(), at + cut);
  }
  tok.feed(std::string_view(text).substr(at), pieces);
  tok.finish(pieces);
  FUZZ_CHECK(pieces.tokens == reference_tokens(text));

  WordCounts counts;
  CountingSink sink{counts};
  Tokenizer whole;
  whole.feed(text, sink);
  whole.finish(sink);
  std::uint64_t sum = 0;
  for (std::uint32_t id = 0; id < counts.distinct(); ++id) {
    FUZZ_CHECK(counts.count(id) > 0);
    FUZZ_CHECK(counts.count_of(counts.word(id)) == counts.count(id));
    sum += counts.count(id);
  }
  FUZZ_CHECK(sum == counts.tokens());

  std::stringstream stored;
  counts.save(stored);
  FUZZ_CHECK(same_counts(WordCounts::load(stored), counts));
  return 0;
}
