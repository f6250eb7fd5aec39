// Learning tests of training with subwords: a planted corpus of topics whose words are inflected
// forms of stems (stem + "", "er", "ing", "ed"). A model trained with subwords must place a form it
// never saw (stem + "s") next to its stem's topic, from its n-grams alone (compose_word_vector);
// the same walk with the n-gram rows left out of the gradient (only the word's own row stepped)
// must not. (That broken walk still scores well above chance, about 0.63 against 0.125: its
// output rows absorb the untrained n-gram rows' values of a topic's words, which the unseen form
// shares with its stem's forms.) Without subwords unseen words have no vector at all. And
// SubwordCbow's blocks step the rows exactly as fastText's per-position loop where they agree.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/train/kernel_subword.h"
#include "core/train/objective_hs.h"
#include "core/train/objective_ns.h"
#include "core/train/objective_softmax.h"
#include "core/train/subword_rows.h"
#include "core/train/subword_vectors.h"
#include "core/train/walk_cbow_subword.h"
#include "core/train/walk_skipgram_subword.h"
#include "support/train_helpers.h"

namespace w2v {
namespace {

constexpr std::size_t kTopics = 8;
constexpr std::size_t kStemsPerTopic = 5;
const char* const kSeenSuffixes[] = {"", "er", "ing", "ed"};

struct StemCorpus {
  std::vector<std::string> stems;  // stem s belongs to topic s / kStemsPerTopic
  std::string text;
};

const StemCorpus& stem_corpus() {
  static const StemCorpus c = [] {
    StemCorpus c;
    std::mt19937_64 rng(7);
    std::set<std::string> seen;
    while (c.stems.size() < kTopics * kStemsPerTopic) {
      std::string stem;
      for (int i = 0; i < 6; ++i) stem.push_back(static_cast<char>('a' + rng() % 26));
      if (seen.insert(stem).second) c.stems.push_back(stem);
    }
    for (int s = 0; s < 3000; ++s) {
      const std::size_t topic = rng() % kTopics;
      for (int w = 0; w < 12; ++w) {
        c.text += c.stems[topic * kStemsPerTopic + rng() % kStemsPerTopic];
        c.text += kSeenSuffixes[rng() % 4];
        c.text += ' ';
      }
      c.text += '\n';
    }
    return c;
  }();
  return c;
}

TrainParams subword_params() {
  TrainParams p = testing::planted_params();
  p.minn = 3;
  p.maxn = 6;
  p.bucket = 20000;
  return p;
}

double cosine(const float* a, const float* b, std::size_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb + 1e-30);
}

int topic_of(const std::string& word) {
  const auto& stems = stem_corpus().stems;
  for (std::size_t s = 0; s < stems.size(); ++s) {
    if (word.rfind(stems[s], 0) == 0) return static_cast<int>(s / kStemsPerTopic);
  }
  return -1;
}

// Of the 10 nearest vocabulary words of other stems (cosine over composed vectors) of each unseen
// form (stem + "s"), the share in the stem's topic. Words of the same stem are left out, since
// they share n-gram rows whether these were trained or not.
constexpr std::size_t kNeighbours = 10;

double unseen_form_accuracy(const testing::Trained& t, const TrainParams& p) {
  const SubwordSettings s = subword_settings(p);
  const Matrix vectors = composed_word_vectors(t.weights.input, t.vocab, s);
  const std::size_t dim = vectors.cols();
  std::vector<float> v(dim);
  int correct = 0;
  const auto& stems = stem_corpus().stems;
  for (std::size_t st = 0; st < stems.size(); ++st) {
    const std::string unseen = stems[st] + "s";
    EXPECT_EQ(t.vocab.id(unseen), Vocabulary::kAbsent);
    EXPECT_GT(compose_word_vector(t.weights.input, t.vocab.size(), s, unseen, Vocabulary::kAbsent,
                                  v.data()),
              0u);
    std::vector<std::pair<double, int>> scored;
    for (std::size_t w = 0; w < t.vocab.size(); ++w) {
      const std::string word(t.vocab.word(w));
      if (word.rfind(stems[st], 0) == 0) continue;
      scored.emplace_back(-cosine(v.data(), vectors.row(w), dim), topic_of(word));
    }
    std::partial_sort(scored.begin(), scored.begin() + kNeighbours, scored.end());
    for (std::size_t k = 0; k < kNeighbours; ++k) {
      correct += scored[k].second == static_cast<int>(st / kStemsPerTopic);
    }
  }
  return static_cast<double>(correct) / static_cast<double>(stems.size() * kNeighbours);
}

// SubwordSkipgram with the n-gram rows left out of the gradient: only the word's own row (the
// first of its rows) receives the window's update.
template <Objective Loss>
class OwnRowOnlySubwordSkipgram {
 public:
  OwnRowOnlySubwordSkipgram(const Vocabulary& vocab, const TrainParams& params)
      : loss_(vocab, params), draw_(params), index_(vocab, subword_settings(params)) {}
  struct Scratch {
    ComposedInput input;
    typename Loss::Scratch loss;
    Scratch(const OwnRowOnlySubwordSkipgram& walk, const ModelWeights& w)
        : input(walk.index_.max_rows(), w.input.cols()), loss(walk.loss_, w) {}
  };
  void sentence(const std::uint32_t* sentence, std::size_t n, ModelWeights& w, float lr, Rng& rng,
                Scratch& s, TrainStats& stats) const noexcept {
    const std::size_t stride = w.input.stride();
    float* h = s.input.hidden.row(0);
    float* h_update = s.input.hidden.row(1);
    for (std::size_t i = 0; i < n; ++i) {
      const ContextWindow ctx = draw_(i, n, rng);
      const std::size_t c = s.input.add(index_, sentence[i], w.input, 0);
      compose_mean(s.input.ones.data(), s.input.rows.data(), c, h, stride);
      zero(h_update, stride);
      for (std::size_t j = ctx.lo; j <= ctx.hi; ++j) {
        if (j == i) continue;
        stats.loss += loss_.update(h, h_update, sentence[j], w.output, lr, rng, s.loss);
        ++stats.examples;
      }
      axpy(1.0f, h_update, s.input.rows[0], stride);
    }
  }

 private:
  Loss loss_;
  WindowDraw draw_;
  SubwordIndex index_;
};

TEST(SubwordLearning, UnseenFormsLandInTheirStemsTopicForEveryModelAndLoss) {
  for (const ModelType model : {ModelType::kSkipgram, ModelType::kCbow}) {
    for (const LossType loss :
         {LossType::kNegativeSampling, LossType::kHierarchicalSoftmax, LossType::kSoftmax}) {
      TrainParams p = subword_params();
      p.model = model;
      p.loss = loss;
      const auto t = testing::train_text(stem_corpus().text, p);
      const double accuracy = unseen_form_accuracy(t, p);
      const std::string what = std::string(to_string(model)) + " " + std::string(to_string(loss));
      std::printf("%s with subwords: unseen forms in their topic %.3f\n", what.c_str(), accuracy);
      EXPECT_GE(accuracy, 0.9) << what;
    }
  }
}

TEST(SubwordLearning, BothSkipgramKernelsLearn) {
  for (const KernelType kernel : {KernelType::kPair, KernelType::kBatch}) {
    TrainParams p = subword_params();
    p.kernel = kernel;
    const auto t = testing::train_text(stem_corpus().text, p);
    const double accuracy = unseen_form_accuracy(t, p);
    std::printf("skipgram ns %s kernel with subwords: %.3f\n",
                std::string(to_string(kernel)).c_str(), accuracy);
    EXPECT_GE(accuracy, 0.9) << to_string(kernel);
  }
}

TEST(SubwordLearning, NgramRowsLeftOutOfTheGradientFail) {
  const TrainParams p = subword_params();
  const auto t = testing::train_text_with_walk<OwnRowOnlySubwordSkipgram<NegativeSamplingLoss>>(
      stem_corpus().text, p);
  const double accuracy = unseen_form_accuracy(t, p);
  std::printf("n-gram rows without gradient: %.3f\n", accuracy);
  EXPECT_LT(accuracy, 0.8);
}

TEST(SubwordLearning, OffByDefaultTheInputMatrixHasOnlyWordRows) {
  TrainParams p = testing::planted_params();
  ASSERT_FALSE(p.subwords());
  const auto t = testing::train_text(stem_corpus().text, p);
  EXPECT_EQ(t.weights.input.rows(), t.vocab.size());
  EXPECT_EQ(t.vocab.id(stem_corpus().stems[0] + "s"), Vocabulary::kAbsent);
}

}  // namespace
}  // namespace w2v

namespace w2v {
namespace {

// SubwordCbow's block (each word of the reach composed once, its summed update scattered once)
// against fastText's per-position loop (subword_step over the concatenated rows) where they must
// agree: a two-word sentence, window 1, softmax (no draws), where neither position's context
// rows are the other's.
TEST(SubwordCbowWalk, ABlockStepsTheRowsAsThePositionLoopDoes) {
  const Vocabulary vocab = Vocabulary::from_words({"abc", "xyz"}, {2, 1});
  TrainParams p;
  p.model = ModelType::kCbow;
  p.loss = LossType::kSoftmax;
  p.dim = 16;
  p.window = 1;
  p.minn = 2;
  p.maxn = 3;
  p.bucket = 100000;  // the two words' n-grams share no row (the test checks it)
  ModelWeights walked = make_initial_weights(vocab.size(), p);
  walked.output.fill_uniform(-0.5f, 0.5f, 9);
  ModelWeights looped = walked;
  const std::uint32_t sentence[] = {0, 1};
  const float lr = 0.3f;

  const SubwordCbow<SoftmaxLoss> walk(vocab, p);
  SubwordCbow<SoftmaxLoss>::Scratch scratch(walk, walked);
  Rng rng(1, 0);
  TrainStats stats;
  walk.sentence(sentence, 2, walked, lr, rng, scratch, stats);
  EXPECT_EQ(stats.examples, 2u);

  const SoftmaxLoss loss(vocab, p);
  SoftmaxLoss::Scratch loss_scratch(loss, looped);
  const SubwordIndex index(vocab, subword_settings(p));
  for (const auto a : index.rows(0)) {
    for (const auto b : index.rows(1)) ASSERT_NE(a, b);
  }
  const std::size_t stride = looped.input.stride();
  Matrix hidden(2, p.dim);
  double total = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<float*> rows;
    rows.reserve(index.rows(sentence[1 - i]).size());
    for (const auto r : index.rows(sentence[1 - i])) rows.push_back(looped.input.row(r));
    const std::vector<float> ones(rows.size(), 1.0f);
    total += subword_step(
        ones.data(), rows.data(), rows.size(), hidden.row(0), hidden.row(1), stride,
        static_cast<float>(rows.size()), [&](const float* h, float* h_update) {
          return loss.update(h, h_update, sentence[i], looped.output, lr, rng, loss_scratch);
        });
  }
  EXPECT_NEAR(stats.loss, total, 1e-5);
  for (const auto m : {&ModelWeights::input, &ModelWeights::output}) {
    for (std::size_t r = 0; r < (walked.*m).rows(); ++r) {
      for (int t = 0; t < p.dim; ++t) {
        ASSERT_NEAR((walked.*m).row(r)[t], (looped.*m).row(r)[t], 1e-6) << r << " " << t;
      }
    }
  }
}

}  // namespace
}  // namespace w2v
