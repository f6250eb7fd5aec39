#pragma once
// A synthetic corpus with planted structure, for learning tests:
// - topics: `topics` groups of `topic_words` words; each topic sentence draws its words from
//   one group, so a trained model's nearest neighbours of a topic word are its group's words;
// - relations: words r<role>_e<entity> whose sentences mix the context words of their role and
//   of their entity, so vec(r1_e1) − vec(r1_e2) + vec(r2_e2) ≈ vec(r2_e1): analogies.
// Deterministic for a seed.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace w2v::testing {

struct PlantedCorpusOptions {
  int topics = 8;
  int topic_words = 25;
  int topic_sentences = 12000;
  int topic_sentence_length = 12;
  int roles = 3;
  int entities = 10;
  int context_words = 8;  // per role and per entity
  int relation_sentences_per_word = 300;
  int relation_sentence_length = 8;  // context words around the relation word
  std::uint64_t seed = 7;
};

struct Analogy {
  std::string a, b, c, d;
};

struct PlantedCorpus {
  std::string text;
  std::vector<std::vector<std::string>> topic_groups;
  std::vector<Analogy> analogies;
  std::size_t tokens = 0;
};

// Builds prefix1<a>prefix2<b> (appending, which GCC 12's -Wrestrict does not misreport).
inline std::string compose(const char* p1, int a, const char* p2, int b) {
  std::string s(p1);
  s.append(std::to_string(a)).append(p2).append(std::to_string(b));
  return s;
}
inline std::string topic_word(int t, int i) {
  return compose("t", t, "w", i);
}
inline std::string relation_word(int r, int e) {
  return compose("r", r, "e", e);
}

// Sentences of 12 words, each from one of `topics` topics' words topic_word(t, 0..words-1):
// e.g. a first text with 20 words per topic and a later one with 25 brings 5 new words per topic.
inline std::string topic_sentences(int topics, int words, int sentences, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string text;
  for (int s = 0; s < sentences; ++s) {
    const int t = static_cast<int>(rng() % static_cast<std::uint64_t>(topics));
    for (int i = 0; i < 12; ++i) {
      if (i) text += ' ';
      text += topic_word(t, static_cast<int>(rng() % static_cast<std::uint64_t>(words)));
    }
    text += '\n';
  }
  return text;
}

inline PlantedCorpus make_planted_corpus(const PlantedCorpusOptions& o = {}) {
  std::mt19937_64 rng(o.seed);
  auto pick = [&rng](int n) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng));
  };
  PlantedCorpus c;
  for (int t = 0; t < o.topics; ++t) {
    c.topic_groups.emplace_back();
    for (int i = 0; i < o.topic_words; ++i) c.topic_groups.back().push_back(topic_word(t, i));
  }
  std::vector<std::string> sentences;
  for (int s = 0; s < o.topic_sentences; ++s) {
    const int t = pick(o.topics);
    std::string line;
    for (int i = 0; i < o.topic_sentence_length; ++i) {
      if (i) line += ' ';
      line += topic_word(t, pick(o.topic_words));
    }
    sentences.push_back(std::move(line));
  }
  for (int r = 0; r < o.roles; ++r) {
    for (int e = 0; e < o.entities; ++e) {
      for (int s = 0; s < o.relation_sentences_per_word; ++s) {
        std::string line;
        const int centre = o.relation_sentence_length / 2;
        for (int i = 0; i <= o.relation_sentence_length; ++i) {
          std::string w;
          if (i == centre) {
            w = relation_word(r, e);
          } else if (pick(2) == 0) {
            w = compose("role", r, "c", pick(o.context_words));
          } else {
            w = compose("ent", e, "c", pick(o.context_words));
          }
          if (i) line += ' ';
          line += w;
        }
        sentences.push_back(std::move(line));
      }
    }
  }
  std::shuffle(sentences.begin(), sentences.end(), rng);
  for (const auto& s : sentences) {
    c.text += s;
    c.text += '\n';
  }
  c.tokens = static_cast<std::size_t>(o.topic_sentences) * o.topic_sentence_length +
             static_cast<std::size_t>(o.roles) * o.entities * o.relation_sentences_per_word *
                 (o.relation_sentence_length + 1);
  for (int r1 = 0; r1 < o.roles; ++r1) {
    for (int r2 = 0; r2 < o.roles; ++r2) {
      if (r1 == r2) continue;
      for (int e1 = 0; e1 < o.entities; ++e1) {
        for (int e2 = 0; e2 < o.entities; ++e2) {
          if (e1 == e2) continue;
          c.analogies.push_back({relation_word(r1, e1), relation_word(r2, e1),
                                 relation_word(r1, e2), relation_word(r2, e2)});
        }
      }
    }
  }
  return c;
}

}  // namespace w2v::testing
