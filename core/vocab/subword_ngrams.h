#pragma once
// A word's character n-grams as fastText (Bojanowski et al. 2017) hashes them into rows: the
// word is framed as "<word>", its n-grams are the runs of minn..maxn UTF-8 characters (a lead
// byte and its continuation bytes), except a 1-character n-gram that is the frame's '<' or '>'.
// The framed word itself counts as an n-gram when it is no longer than maxn characters, as in
// fastText. An n-gram's row is words + fasttext_hash(ngram) % bucket, after the vocabulary's
// word rows, so rows computed here are fastText's (docs/math.md §10).
//
// SubwordIndex keeps every vocabulary word's rows (its own row, then its n-grams' rows, repeats
// kept as fastText keeps them) in one flat array, computed once per training run; training reads
// a word's rows as a span, allocation-free.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/vocab/vocabulary.h"

namespace w2v {

// The n-gram settings of a model: off when maxn is 0.
struct SubwordSettings {
  int minn = 3;
  int maxn = 0;
  std::uint64_t bucket = 2'000'000;
  bool enabled() const noexcept { return maxn > 0; }
  bool operator==(const SubwordSettings&) const = default;
};

// fastText's hash: 32-bit FNV-1a over the bytes, each byte sign-extended (as a signed char)
// before the xor.
std::uint32_t fasttext_hash(std::string_view bytes) noexcept;

// Calls f(ngram) for each n-gram of the framed "<word>" (the frame is added here), in fastText's
// order: by start character, then by length.
template <class F>
void for_each_ngram(std::string_view word, int minn, int maxn, F&& f);

// The rows of word's n-grams (not its own row): words + hash % bucket each, appended to out.
void append_ngram_rows(std::string_view word, std::uint64_t words, const SubwordSettings& s,
                       std::vector<std::uint32_t>& out);

class SubwordIndex {
 public:
  SubwordIndex() = default;
  // Every word of vocab: its own id, then append_ngram_rows(word, vocab.size(), s). s enabled.
  SubwordIndex(const Vocabulary& vocab, const SubwordSettings& s);

  std::size_t words() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  // The input rows whose mean is word id's input vector (its own row first).
  std::span<const std::uint32_t> rows(std::size_t id) const noexcept {
    return {ids_.data() + offsets_[id], ids_.data() + offsets_[id + 1]};
  }
  // The most rows any word has.
  std::size_t max_rows() const noexcept { return max_rows_; }

 private:
  std::vector<std::size_t> offsets_;
  std::vector<std::uint32_t> ids_;
  std::size_t max_rows_ = 0;
};

template <class F>
void for_each_ngram(std::string_view word, int minn, int maxn, F&& f) {
  // The framed word, without a copy: position p of "<word>" is '<', word[p-1] or '>'.
  const std::size_t size = word.size() + 2;
  std::string ngram;
  auto byte_at = [&](std::size_t p) -> char {
    return p == 0 ? '<' : p == size - 1 ? '>' : word[p - 1];
  };
  auto continuation = [&](std::size_t p) {
    return (static_cast<unsigned char>(byte_at(p)) & 0xC0) == 0x80;
  };
  for (std::size_t i = 0; i < size; ++i) {
    if (continuation(i)) continue;
    ngram.clear();
    std::size_t j = i;
    for (int n = 1; j < size && n <= maxn; ++n) {
      ngram.push_back(byte_at(j++));
      while (j < size && continuation(j)) ngram.push_back(byte_at(j++));
      if (n >= minn && !(n == 1 && (i == 0 || j == size))) f(std::string_view(ngram));
    }
  }
}

}  // namespace w2v
