#pragma once
// A corpus as the trainer reads it: the token stream as vocabulary ids, words outside the
// vocabulary dropped, sentence ends kept as kSentenceEnd. Built once per job and reused by
// every epoch. File-backed instances are memory-mapped, so corpora larger than RAM train.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/vocab/vocabulary.h"

namespace w2v {

inline constexpr std::uint32_t kSentenceEnd = 0xFFFFFFFFu;

class EncodedCorpus {
 public:
  EncodedCorpus();
  ~EncodedCorpus();
  EncodedCorpus(EncodedCorpus&&) noexcept;
  EncodedCorpus& operator=(EncodedCorpus&&) noexcept;

  // In memory, from ids (kSentenceEnd separating sentences).
  static EncodedCorpus from_ids(std::vector<std::uint32_t> ids);
  // Tokenizes the text file at text_path, maps words through vocab and writes the stream to
  // out_path (temporary name, fsync, rename), then maps it.
  static EncodedCorpus encode_file(const std::string& text_path, const Vocabulary& vocab,
                                   const std::string& out_path);
  // In memory, from text (tests and small inputs).
  static EncodedCorpus encode_text(std::string_view text, const Vocabulary& vocab);
  // Maps a file written by encode_file. Throws std::runtime_error when it is not one.
  static EncodedCorpus open(const std::string& path);

  std::span<const std::uint32_t> ids() const noexcept { return {data_, size_}; }
  // Vocabulary tokens in the stream (sentence ends excluded): the words of one epoch.
  std::uint64_t words() const noexcept { return words_; }

 private:
  struct Mapping;
  std::vector<std::uint32_t> owned_;
  std::unique_ptr<Mapping> mapping_;
  const std::uint32_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t words_ = 0;
};

}  // namespace w2v
