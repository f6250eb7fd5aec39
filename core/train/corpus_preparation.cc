#include "core/train/corpus_preparation.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/text/word_counts.h"
#include "core/text/word_table.h"

namespace w2v {
namespace {

WordCounts read_counts(const CorpusSource& source, std::uint64_t min_count,
                       const ParentModel* parent) {
  if (source.counts.empty()) return count_words_in_file(source.text);
  std::ifstream in(source.counts, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + source.counts);
  WordTable parent_words(parent ? parent->words.size() : 0);
  if (parent) {
    for (const auto& w : parent->words) parent_words.intern(w);
  }
  return WordCounts::load(in, [&](std::string_view word, std::uint64_t count) {
    return count >= min_count || (parent && parent_words.find(word) != WordTable::kNotFound);
  });
}

}  // namespace

CorpusVocabulary corpus_vocabulary(const CorpusSource& source, const TrainParams& params,
                                   const ContinuedFrom* from) {
  const auto min_count = static_cast<std::uint64_t>(params.min_count);
  const auto max_vocab = static_cast<std::size_t>(params.max_vocab);
  const WordCounts counts = read_counts(source, min_count, from ? &from->parent : nullptr);
  CorpusVocabulary v;
  v.tokens = counts.tokens();
  v.sentences = counts.sentences();
  v.distinct = counts.distinct();
  v.vocab = from ? continued_vocabulary(from->parent, counts, {from->mode, min_count, max_vocab})
                 : Vocabulary::build(counts, {min_count, max_vocab});
  if (v.vocab.empty()) {
    throw std::runtime_error("no word of the corpus occurs at least min_count=" +
                             std::to_string(params.min_count) + " times");
  }
  return v;
}

EncodedCorpus encode_corpus(const std::string& text_path, const Vocabulary& vocab,
                            const std::string& encoded_path, EncodedFile file) {
  if (file == EncodedFile::kKept && std::filesystem::exists(encoded_path)) {
    try {
      return EncodedCorpus::open(encoded_path);
    } catch (const std::exception&) {
      // A torn or foreign file: encode again.
    }
  }
  EncodedCorpus corpus = EncodedCorpus::encode_file(text_path, vocab, encoded_path);
  if (file == EncodedFile::kTemporary) std::remove(encoded_path.c_str());
  return corpus;
}

PreparedCorpus prepare_corpus(const CorpusSource& source, const TrainParams& params,
                              const std::string& encoded_path) {
  PreparedCorpus p;
  p.vocabulary = corpus_vocabulary(source, params);
  p.corpus = encode_corpus(source.text, p.vocabulary.vocab, encoded_path, EncodedFile::kTemporary);
  return p;
}

}  // namespace w2v
