#include "core/text/tokenizer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

// Counts heap allocations, to show the tokenizer itself never allocates (so it cannot buffer
// more than its fixed-size pending word, however long the input's lines and words are).
namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// noinline: GCC would otherwise see free() on a pointer from operator new and warn.
[[gnu::noinline]] void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace w2v {
namespace {

using Sentences = std::vector<std::vector<std::string>>;

// Records every sentence; a sentence end with no words before it is recorded as an empty one.
struct Collector {
  Sentences sentences;
  std::vector<std::string> open;
  void on_word(std::string_view w) { open.emplace_back(w); }
  void on_sentence_end() {
    sentences.push_back(std::move(open));
    open.clear();
  }
};

Sentences tokenize_in_chunks(std::string_view text, std::size_t chunk) {
  Tokenizer tok;
  Collector sink;
  for (std::size_t i = 0; i < text.size(); i += chunk) tok.feed(text.substr(i, chunk), sink);
  tok.finish(sink);
  EXPECT_TRUE(sink.open.empty()) << "words after the last sentence end";
  return sink.sentences;
}

Sentences tokenize(std::string_view text) {
  return tokenize_in_chunks(text, text.size() + 1);
}

// Counts without allocating.
struct CountingSink {
  std::size_t words = 0, sentences = 0, longest = 0, total_bytes = 0;
  void on_word(std::string_view w) {
    ++words;
    longest = std::max(longest, w.size());
    total_bytes += w.size();
  }
  void on_sentence_end() { ++sentences; }
};

TEST(Tokenizer, EmptyInput) {
  EXPECT_TRUE(tokenize("").empty());
  Tokenizer tok;
  Collector sink;
  tok.feed("", sink);
  tok.feed("", sink);
  tok.finish(sink);
  EXPECT_TRUE(sink.sentences.empty());
  EXPECT_TRUE(sink.open.empty());
}

TEST(Tokenizer, OnlyWhitespace) {
  EXPECT_TRUE(tokenize(" \t\n\r\n\v\f \n\n").empty());
}

TEST(Tokenizer, SplitsWordsAndSentences) {
  EXPECT_EQ(tokenize("the cat sat\non the mat\n"),
            (Sentences{{"the", "cat", "sat"}, {"on", "the", "mat"}}));
}

TEST(Tokenizer, NoTrailingNewline) {
  EXPECT_EQ(tokenize("a b\nc d"), (Sentences{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(tokenize("single"), (Sentences{{"single"}}));
}

TEST(Tokenizer, CrLfLineEnds) {
  EXPECT_EQ(tokenize("a b\r\nc\r\n\r\nd\r"), (Sentences{{"a", "b"}, {"c"}, {"d"}}));
}

TEST(Tokenizer, EveryAsciiSpaceSeparates) {
  EXPECT_EQ(tokenize("a b\tc\vd\fe\rf  \t g"), (Sentences{{"a", "b", "c", "d", "e", "f", "g"}}));
}

TEST(Tokenizer, BlankLinesProduceNoSentence) {
  EXPECT_EQ(tokenize("\n\n  a \n\n\t\r\n b\n\n \n"), (Sentences{{"a"}, {"b"}}));
}

TEST(Tokenizer, KeepsNulBytesInsideWords) {
  const std::string text("a\0b c\0\n\0", 8);
  EXPECT_EQ(tokenize(text),
            (Sentences{{std::string("a\0b", 3), std::string("c\0", 2)}, {std::string(1, '\0')}}));
}

TEST(Tokenizer, KeepsInvalidUtf8AsIs) {
  EXPECT_EQ(tokenize("\xff\xfe \xc3 x\x80y \xed\xa0\x80"),
            (Sentences{{"\xff\xfe", "\xc3", "x\x80y", "\xed\xa0\x80"}}));
}

TEST(Tokenizer, PassesUtf8Through) {
  EXPECT_EQ(tokenize("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87\n\xf0\x9f\x98\x80"),
            (Sentences{{"caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87"}, {"\xf0\x9f\x98\x80"}}));
}

std::string pattern(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + i % 26);
  return s;
}

TEST(Tokenizer, CutsLongTokensToTheirPrefix) {
  for (const std::size_t len : {99u, 100u, 101u, 150u, 250u, 1000u}) {
    const std::string word = pattern(len);
    const std::string kept = word.substr(0, kMaxTokenBytes);
    EXPECT_EQ(tokenize("x " + word + " y\n" + word), (Sentences{{"x", kept, "y"}, {kept}})) << len;
  }
}

TEST(Tokenizer, CutsLongTokensStraddlingChunks) {
  const std::string word = pattern(257);
  const std::string kept = word.substr(0, kMaxTokenBytes);
  const Sentences expected{{"x", kept, "y"}, {kept}};
  for (const std::size_t chunk : {1u, 2u, 3u, 7u, 50u, 99u, 100u, 101u, 128u, 200u, 256u}) {
    EXPECT_EQ(tokenize_in_chunks("x " + word + " y\n" + word, chunk), expected) << chunk;
  }
}

TEST(Tokenizer, WholeTokenWhenNotLonger) {
  const std::string word = pattern(kMaxTokenBytes);
  for (const std::size_t chunk : {1u, 33u, 100u}) {
    EXPECT_EQ(tokenize_in_chunks(word + "\n" + word, chunk), (Sentences{{word}, {word}})) << chunk;
  }
}

TEST(Tokenizer, FiftyMegabyteLineStaysBounded) {
  static_assert(sizeof(Tokenizer) <= kMaxTokenBytes + 64, "the tokenizer's state is fixed-size");
  // 50 MB of words of 1 to 300 bytes separated by spaces and tabs, with no newline at all.
  std::string text;
  text.reserve(50u << 20);
  std::size_t words = 0, kept_bytes = 0;
  for (std::size_t i = 0; text.size() < (50u << 20); ++i) {
    const std::size_t len = 1 + (i * 7919) % 300;
    text.append(len, static_cast<char>('a' + i % 26));
    text += i % 5 == 0 ? '\t' : ' ';
    ++words;
    kept_bytes += std::min(len, kMaxTokenBytes);
  }
  {  // the counter works
    const std::size_t before = g_allocations.load();
    auto probe = std::make_unique<int>(1);
    ASSERT_GT(g_allocations.load(), before);
  }
  for (const std::size_t chunk : {std::size_t{1} << 20, std::size_t{4093}}) {
    Tokenizer tok;
    CountingSink sink;
    const std::size_t before = g_allocations.load();
    for (std::size_t i = 0; i < text.size(); i += chunk) {
      tok.feed(std::string_view(text).substr(i, chunk), sink);
    }
    tok.finish(sink);
    EXPECT_EQ(g_allocations.load(), before) << "the tokenizer allocated";
    EXPECT_EQ(sink.words, words);
    EXPECT_EQ(sink.total_bytes, kept_bytes);
    EXPECT_EQ(sink.sentences, 1u);
    EXPECT_EQ(sink.longest, kMaxTokenBytes);
  }
}

TEST(Tokenizer, FiftyMegabyteWordIsOneCutToken) {
  const std::string text = pattern(50u << 20);
  Tokenizer tok;
  Collector sink;
  const std::size_t before = g_allocations.load();
  for (std::size_t i = 0; i < text.size(); i += 65536) {
    tok.feed(std::string_view(text).substr(i, 65536), sink);
  }
  EXPECT_EQ(g_allocations.load(), before) << "the tokenizer allocated";
  tok.finish(sink);
  EXPECT_EQ(sink.sentences, (Sentences{{text.substr(0, kMaxTokenBytes)}}));
}

TEST(Tokenizer, ChunkSizeDoesNotMatter) {
  std::string text = "  the quick\tbrown  fox\r\n\n\njumps " + pattern(99) + " " + pattern(100) +
                     "\n" + pattern(101) + "\t" + pattern(230) + "\n \n" +
                     std::string("nul\0byte \xff\xfe caf\xc3\xa9\n", 18) + "a b c d e f g\v\f\r" +
                     pattern(17) + "\n\n\nlast words without newline";
  for (int i = 0; i < 40; ++i)
    text += (i % 7 == 0 ? "\n" : " ") + pattern(static_cast<std::size_t>(i * 13 % 120 + 1));
  const Sentences whole = tokenize(text);
  ASSERT_GT(whole.size(), 5u);
  for (std::size_t chunk = 1; chunk <= 17; ++chunk) {
    EXPECT_EQ(tokenize_in_chunks(text, chunk), whole) << "chunk size " << chunk;
  }
}

TEST(Tokenizer, ReusableAfterFinish) {
  Tokenizer tok;
  Collector sink;
  tok.feed("a b", sink);
  tok.finish(sink);
  tok.feed("c\nd", sink);
  tok.finish(sink);
  EXPECT_EQ(sink.sentences, (Sentences{{"a", "b"}, {"c"}, {"d"}}));
}

}  // namespace
}  // namespace w2v
