#pragma once
// The step between a corpus and training, the same for a server job, `w2vd train` and rank 0 of
// a distributed run: the corpus's word counts (counted from its text, or read from the counts
// file made when it was uploaded), the vocabulary (min_count and max_vocab; for continued
// training the parent model's words, extended or kept: core/train/continued_training.h), checked
// to hold a word, and the corpus encoded with it (core/vocab/encoded_corpus.h).
//
// A run that writes nothing between the two calls uses prepare_corpus(); a job, which makes its
// directory first and names its own write failures, calls corpus_vocabulary() and
// encode_corpus() itself.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/train/continued_training.h"
#include "core/train/train_params.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "core/vocab/vocabulary_mode.h"

namespace w2v {

struct CorpusSource {
  std::string text;  // whitespace-separated words, a sentence per line
  // Its counts file (WordCounts::save's format), read in place of counting the text; empty:
  // the text is counted. Only the words the vocabulary can take are read from it (those of
  // min_count, and a parent model's), so a corpus's rare words cost no memory.
  std::string counts;
};

// Continued training: the model a run starts from and what becomes of its vocabulary.
struct ContinuedFrom {
  const ParentModel& parent;
  VocabularyMode mode = VocabularyMode::kExtend;
};

// The vocabulary a run trains, and the totals of the counts it was built from.
struct CorpusVocabulary {
  Vocabulary vocab;
  std::uint64_t tokens = 0;
  std::uint64_t sentences = 0;
  std::size_t distinct = 0;  // the distinct words read (from a counts file, only those kept)
  // The size of the corpus encoded with it, at most.
  std::uint64_t encoded_bytes() const noexcept {
    return (tokens + sentences + 4) * sizeof(std::uint32_t);
  }
};

// The counts and the vocabulary params.min_count and params.max_vocab give (or, with from, the
// continued vocabulary). Throws std::runtime_error when the source cannot be read or no word of
// the corpus occurs min_count times or more.
CorpusVocabulary corpus_vocabulary(const CorpusSource& source, const TrainParams& params,
                                   const ContinuedFrom* from = nullptr);

// What becomes of the encoded file.
enum class EncodedFile {
  kTemporary,  // written, mapped, then removed (the mapping stays valid)
  kKept,       // kept for a resume: a readable encoded file already there is used as it is
};

// The text at text_path encoded with vocab into encoded_path. Throws std::runtime_error (the
// write's error) when it cannot be written.
EncodedCorpus encode_corpus(const std::string& text_path, const Vocabulary& vocab,
                            const std::string& encoded_path, EncodedFile file);

struct PreparedCorpus {
  CorpusVocabulary vocabulary;
  EncodedCorpus corpus;
};

// corpus_vocabulary() then encode_corpus() into a temporary file at encoded_path.
PreparedCorpus prepare_corpus(const CorpusSource& source, const TrainParams& params,
                              const std::string& encoded_path);

}  // namespace w2v
