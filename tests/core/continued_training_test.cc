// Continuing training from a model: the vocabulary (keep, extend, merged counts), the weights it
// starts from, and what training on new text does to a planted structure: topics whose later
// text brings new words.

#include "core/train/continued_training.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/train/subword_vectors.h"
#include "core/train/trainer.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

using testing::planted_params;
using testing::topic_word;

constexpr int kTopics = 8;
constexpr int kOldWords = 20;  // per topic, in part A and part B
constexpr int kAllWords = 25;  // part B also brings words kOldWords..kAllWords-1 of each topic

std::string topic_text(int words, int sentences, std::uint64_t seed) {
  return testing::topic_sentences(kTopics, words, sentences, seed);
}

const std::string& part_a() {
  static const std::string t = topic_text(kOldWords, 6000, 1);
  return t;
}
const std::string& part_b() {
  static const std::string t = topic_text(kAllWords, 6000, 2);
  return t;
}

ParentModel parent_of(const testing::Trained& t, bool with_state, LossType loss) {
  ParentModel p;
  for (auto w : t.vocab.words()) p.words.emplace_back(w);
  p.input = t.weights.input;
  if (with_state) p.state = TrainingState{loss, t.vocab.counts(), t.weights.output, {}, {}};
  return p;
}

struct Continued {
  Vocabulary vocab;
  ContinuedWeights start;
  ModelWeights weights;
};

Continued continue_on(const ParentModel& parent, const std::string& text, const TrainParams& p,
                      VocabularyMode mode) {
  Continued c;
  c.vocab = continued_vocabulary(parent, testing::word_counts_of(text),
                                 {mode, static_cast<std::uint64_t>(p.min_count), 0});
  c.start = continued_weights(parent, c.vocab, p);
  c.weights = c.start.weights;
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, c.vocab);
  EXPECT_EQ(train(corpus, c.vocab, p, c.weights), TrainOutcome::kCompleted);
  return c;
}

Embeddings embeddings_of(const Vocabulary& vocab, const Matrix& input) {
  std::vector<std::string> words;
  for (auto w : vocab.words()) words.emplace_back(w);
  return Embeddings(std::move(words), input);
}

// Share of the 5 nearest neighbours of topic words [from, to) that are in the same topic.
double topic_precision(const Embeddings& emb, int from, int to) {
  std::size_t hits = 0, total = 0;
  for (int t = 0; t < kTopics; ++t) {
    for (int i = from; i < to; ++i) {
      const auto id = emb.find(topic_word(t, i));
      if (!id) continue;
      const std::uint32_t pos[] = {*id};
      for (const Neighbor& n : emb.most_similar(pos, {}, 5)) {
        hits += emb.word(n.id).starts_with("t" + std::to_string(t) + "w");
      }
      total += 5;
    }
  }
  return total ? static_cast<double>(hits) / static_cast<double>(total) : 0;
}

TEST(ContinuedVocabulary, ExtendAddsNewWordsAndMergesCounts) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const ParentModel parent = parent_of(a, true, p.loss);
  const WordCounts b = testing::word_counts_of(part_b());
  const Vocabulary v = continued_vocabulary(parent, b, {VocabularyMode::kExtend, 1, 0});
  EXPECT_EQ(v.size(), static_cast<std::size_t>(kTopics * kAllWords));
  for (int t = 0; t < kTopics; ++t) {
    const std::string old_word = topic_word(t, 0), new_word = topic_word(t, kAllWords - 1);
    ASSERT_NE(v.id(old_word), Vocabulary::kAbsent);
    ASSERT_NE(v.id(new_word), Vocabulary::kAbsent);
    EXPECT_EQ(v.count(static_cast<std::size_t>(v.id(old_word))),
              a.vocab.count(static_cast<std::size_t>(a.vocab.id(old_word))) + b.count_of(old_word));
    EXPECT_EQ(v.count(static_cast<std::size_t>(v.id(new_word))), b.count_of(new_word));
  }
  EXPECT_TRUE(std::is_sorted(v.counts().begin(), v.counts().end(), std::greater<>()));
}

TEST(ContinuedVocabulary, ExtendRespectsMinCountAndMaxVocab) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const ParentModel parent = parent_of(a, true, p.loss);
  // A new word occurring once stays out at min_count 2.
  const WordCounts b = testing::word_counts_of(part_a() + "brandnew\n");
  EXPECT_EQ(continued_vocabulary(parent, b, {VocabularyMode::kExtend, 2, 0}).id("brandnew"),
            Vocabulary::kAbsent);
  EXPECT_NE(continued_vocabulary(parent, b, {VocabularyMode::kExtend, 1, 0}).id("brandnew"),
            Vocabulary::kAbsent);
  // max_vocab caps the new words, never the parent's.
  const WordCounts more = testing::word_counts_of(part_b());
  const std::size_t cap = a.vocab.size() + 3;
  EXPECT_EQ(continued_vocabulary(parent, more, {VocabularyMode::kExtend, 1, cap}).size(), cap);
  EXPECT_EQ(continued_vocabulary(parent, more, {VocabularyMode::kExtend, 1, 1}).size(),
            a.vocab.size());
}

TEST(ContinuedTraining, ExtendPlacesNewWordsWithTheirTopicAndKeepsOldNeighbours) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const double a_alone = topic_precision(testing::embeddings_of(a), 0, kOldWords);
  ASSERT_GE(a_alone, 0.9) << "part A alone must learn its topics for the test to mean anything";

  const Continued c = continue_on(parent_of(a, true, p.loss), part_b(), p, VocabularyMode::kExtend);
  EXPECT_EQ(c.start.words_carried, a.vocab.size());
  EXPECT_EQ(c.start.output_rows_carried, a.vocab.size());
  const Embeddings emb = embeddings_of(c.vocab, c.weights.input);
  const double new_words = topic_precision(emb, kOldWords, kAllWords);
  const double old_words = topic_precision(emb, 0, kOldWords);
  EXPECT_GE(new_words, 0.8);
  EXPECT_GE(old_words, 0.9);

  // Within a band of training from scratch on A and B together.
  const testing::Trained scratch = testing::train_text(part_a() + part_b(), p);
  const Embeddings scratch_emb = testing::embeddings_of(scratch);
  EXPECT_GE(new_words, topic_precision(scratch_emb, kOldWords, kAllWords) - 0.1);
  EXPECT_GE(old_words, topic_precision(scratch_emb, 0, kOldWords) - 0.1);
}

TEST(ContinuedTraining, KeepLeavesNewWordsOutAndTheRowCountUnchanged) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const Continued c = continue_on(parent_of(a, true, p.loss), part_b(), p, VocabularyMode::kKeep);
  EXPECT_EQ(c.vocab.size(), a.vocab.size());
  EXPECT_EQ(c.weights.input.rows(), a.weights.input.rows());
  EXPECT_EQ(c.weights.output.rows(), a.weights.output.rows());
  for (int t = 0; t < kTopics; ++t) {
    EXPECT_EQ(c.vocab.id(topic_word(t, kAllWords - 1)), Vocabulary::kAbsent);
  }
  EXPECT_GE(topic_precision(embeddings_of(c.vocab, c.weights.input), 0, kOldWords), 0.9);
}

TEST(ContinuedTraining, StartsFromTheParentRowsAndInitialisesNewWordsAsNew) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const ParentModel parent = parent_of(a, true, p.loss);
  const Vocabulary v = continued_vocabulary(parent, testing::word_counts_of(part_b()), {});
  const ContinuedWeights w = continued_weights(parent, v, p);
  const float bound = 0.5f / static_cast<float>(p.dim);
  for (std::size_t id = 0; id < v.size(); ++id) {
    const std::int32_t pid = a.vocab.id(v.word(id));
    for (int d = 0; d < p.dim; ++d) {
      if (pid != Vocabulary::kAbsent) {
        ASSERT_EQ(w.weights.input.row(id)[d], a.weights.input.row(pid)[d]);
        ASSERT_EQ(w.weights.output.row(id)[d], a.weights.output.row(pid)[d]);
      } else {
        ASSERT_LE(std::abs(w.weights.input.row(id)[d]), bound);
        ASSERT_EQ(w.weights.output.row(id)[d], 0.0f);
      }
    }
  }
  TrainParams other = p;
  other.dim = p.dim + 1;
  EXPECT_THROW(continued_weights(parent, v, other), std::invalid_argument);
}

TEST(ContinuedTraining, SubwordParentCarriesItsOwnRowsAndBucketRows) {
  TrainParams p = planted_params();
  p.minn = 3;
  p.maxn = 5;
  p.bucket = 500;
  p.epochs = 1;
  const testing::Trained a = testing::train_text(part_a(), p);
  ASSERT_EQ(a.weights.input.rows(), a.vocab.size() + 500);
  // As a job publishes it: composed vectors, and the state with the rows themselves.
  ParentModel parent;
  for (auto w : a.vocab.words()) parent.words.emplace_back(w);
  parent.input = composed_word_vectors(a.weights.input, a.vocab, subword_settings(p));
  parent.state = TrainingState{p.loss, a.vocab.counts(), a.weights.output, subword_settings(p),
                               a.weights.input};
  const Vocabulary v = continued_vocabulary(parent, testing::word_counts_of(part_b()), {});
  ASSERT_GT(v.size(), a.vocab.size());
  const ContinuedWeights w = continued_weights(parent, v, p);
  ASSERT_EQ(w.weights.input.rows(), v.size() + 500);
  const auto row = [](const Matrix& m, std::size_t r) {
    return std::vector<float>(m.row(r), m.row(r) + m.cols());
  };
  for (std::size_t id = 0; id < v.size(); ++id) {
    const std::int32_t pid = a.vocab.id(v.word(id));
    if (pid == Vocabulary::kAbsent) continue;
    ASSERT_EQ(row(w.weights.input, id), row(a.weights.input, static_cast<std::size_t>(pid)));
  }
  for (std::size_t b = 0; b < 500; ++b) {
    ASSERT_EQ(row(w.weights.input, v.size() + b), row(a.weights.input, a.vocab.size() + b));
  }
  // Other n-gram settings: the parent's composed vectors start its words, buckets start anew.
  TrainParams other = p;
  other.maxn = 4;
  const ContinuedWeights fresh = continued_weights(parent, v, other);
  const auto first = static_cast<std::size_t>(v.id(parent.words[0]));
  EXPECT_EQ(row(fresh.weights.input, first), row(parent.input, 0));
  EXPECT_NE(row(fresh.weights.input, v.size()), row(a.weights.input, a.vocab.size()));
  // It trains on.
  ModelWeights trained = w.weights;
  EXPECT_EQ(train(EncodedCorpus::encode_text(part_b(), v), v, p, trained),
            TrainOutcome::kCompleted);
}

TEST(ContinuedTraining, VectorsOnlyParentStartsOutputAtZeroAndStillLearns) {
  const TrainParams p = planted_params();
  const testing::Trained a = testing::train_text(part_a(), p);
  const ParentModel parent = parent_of(a, false, p.loss);
  const Vocabulary v = continued_vocabulary(parent, testing::word_counts_of(part_b()), {});
  // Without the parent's counts, its words count what the new corpus has of them.
  EXPECT_EQ(v.count(static_cast<std::size_t>(v.id(topic_word(0, 0)))),
            testing::word_counts_of(part_b()).count_of(topic_word(0, 0)));
  const ContinuedWeights w = continued_weights(parent, v, p);
  EXPECT_EQ(w.words_carried, a.vocab.size());
  EXPECT_EQ(w.output_rows_carried, 0u);
  for (std::size_t r = 0; r < w.weights.output.rows(); ++r) {
    for (int d = 0; d < p.dim; ++d) ASSERT_EQ(w.weights.output.row(r)[d], 0.0f);
  }
  const Continued c = continue_on(parent, part_b(), p, VocabularyMode::kExtend);
  EXPECT_GE(topic_precision(embeddings_of(c.vocab, c.weights.input), 0, kAllWords), 0.8);
}

TEST(ContinuedTraining, HierarchicalSoftmaxCarriesInnerNodesOfAnUnchangedTree) {
  TrainParams p = planted_params();
  p.loss = LossType::kHierarchicalSoftmax;
  const testing::Trained a = testing::train_text(part_a(), p);
  const ParentModel parent = parent_of(a, true, p.loss);
  // The same text again doubles every count: the same order, the same tree.
  const Vocabulary same = continued_vocabulary(parent, testing::word_counts_of(part_a()), {});
  const ContinuedWeights w = continued_weights(parent, same, p);
  ASSERT_EQ(w.output_rows_carried, a.vocab.size() - 1);
  for (std::size_t r = 0; r < w.weights.output.rows(); ++r) {
    for (int d = 0; d < p.dim; ++d) {
      ASSERT_EQ(w.weights.output.row(r)[d], a.weights.output.row(r)[d]);
    }
  }
  // New words change the tree: fewer nodes carry over, and training still learns.
  const Continued c = continue_on(parent, part_b(), p, VocabularyMode::kExtend);
  EXPECT_LT(c.start.output_rows_carried, c.vocab.size() - 1);
  EXPECT_GE(topic_precision(embeddings_of(c.vocab, c.weights.input), 0, kAllWords), 0.8);
}

TEST(VocabularyMode, ParsesAndPrints) {
  EXPECT_EQ(parse_vocabulary_mode("keep"), VocabularyMode::kKeep);
  EXPECT_EQ(parse_vocabulary_mode("extend"), VocabularyMode::kExtend);
  EXPECT_FALSE(parse_vocabulary_mode("Keep"));
  EXPECT_EQ(to_string(VocabularyMode::kKeep), "keep");
}

}  // namespace
}  // namespace w2v
