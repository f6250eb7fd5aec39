#pragma once
// Trains on an in-memory text and measures what a planted corpus plants.

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/search/embeddings.h"
#include "core/text/word_counts.h"
#include "core/train/model_weights.h"
#include "core/train/objective_ns.h"
#include "core/train/trainer.h"
#include "core/train/training_loop.h"
#include "core/train/walk_skipgram.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"
#include "support/planted_corpus.h"

namespace w2v::testing {

struct Trained {
  Vocabulary vocab;
  ModelWeights weights;
  TrainOutcome outcome = TrainOutcome::kCompleted;
};

inline WordCounts word_counts_of(std::string_view text) {
  WordCounts counts;
  CountingSink sink{counts};
  Tokenizer tok;
  tok.feed(text, sink);
  tok.finish(sink);
  return counts;
}

inline Vocabulary vocabulary_of(const std::string& text, const TrainParams& p) {
  const WordCounts counts = word_counts_of(text);
  return Vocabulary::build(
      counts, {static_cast<std::uint64_t>(p.min_count), static_cast<std::size_t>(p.max_vocab)});
}

// Trains through train() (the kernel p asks for).
inline Trained train_text(const std::string& text, const TrainParams& p,
                          const TrainHooks& hooks = {}) {
  Trained t{vocabulary_of(text, p), {}};
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, t.vocab);
  t.weights = make_initial_weights(t.vocab.size(), p);
  t.outcome = train(corpus, t.vocab, p, t.weights, hooks, 0);
  return t;
}

// Trains with the training loop's Walk (e.g. a deliberately broken one), whatever p's model,
// loss and kernel say.
template <class Walk>
Trained train_text_with_walk(const std::string& text, const TrainParams& p) {
  Trained t{vocabulary_of(text, p), {}};
  const EncodedCorpus corpus = EncodedCorpus::encode_text(text, t.vocab);
  t.weights = make_initial_weights(t.vocab.size(), p);
  t.outcome = training::train_with<Walk>(corpus, t.vocab, p, t.weights, {}, 0);
  return t;
}

// Trains skip-gram one example at a time through Loss (e.g. a deliberately broken one).
template <class Loss>
Trained train_text_with_loss(const std::string& text, const TrainParams& p) {
  return train_text_with_walk<PairSkipgram<Loss>>(text, p);
}

inline Embeddings embeddings_of(const Trained& t) {
  std::vector<std::string> words;
  for (auto w : t.vocab.words()) words.emplace_back(w);
  return Embeddings(std::move(words), t.weights.input);
}

struct PlantedQuality {
  double precision_at_5 = 0;  // share of topic words' 5 nearest neighbours in the same topic
  double analogy_accuracy = 0;
};

inline PlantedQuality measure(const Embeddings& emb, const PlantedCorpus& c) {
  PlantedQuality q;
  std::size_t hits = 0, total = 0;
  for (const auto& group : c.topic_groups) {
    const std::set<std::string, std::less<>> members(group.begin(), group.end());
    for (const auto& w : group) {
      const auto id = emb.find(w);
      if (!id) continue;
      const std::uint32_t pos[] = {*id};
      for (const Neighbor& n : emb.most_similar(pos, {}, 5)) hits += members.count(emb.word(n.id));
      total += 5;
    }
  }
  q.precision_at_5 = total ? static_cast<double>(hits) / total : 0;
  std::size_t correct = 0;
  for (const Analogy& a : c.analogies) {
    const auto ia = emb.find(a.a), ib = emb.find(a.b), ic = emb.find(a.c);
    if (!ia || !ib || !ic) continue;
    const auto best = emb.analogy(*ia, *ib, *ic, 1);
    correct += !best.empty() && emb.word(best[0].id) == a.d;
  }
  q.analogy_accuracy = c.analogies.empty() ? 0 : static_cast<double>(correct) / c.analogies.size();
  return q;
}

// Parameters that train the default planted corpus in about a second.
inline TrainParams planted_params() {
  TrainParams p;
  p.dim = 40;
  p.window = 5;
  p.negative = 5;
  p.min_count = 1;
  p.sample = 1e-3;
  p.epochs = 5;
  p.threads = 2;
  p.seed = 11;
  return p;
}

}  // namespace w2v::testing
