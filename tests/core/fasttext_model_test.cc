#include "core/train/fasttext_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/train/model_weights.h"
#include "core/train/subword_vectors.h"
#include "support/shell_command.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

// A model with subwords as training leaves one: words (inflected forms sharing stems, and a
// word of several UTF-8 bytes per character), descending counts, input rows for the words and
// the buckets, output rows, and the published vectors composed from the input rows.
struct SubwordModel {
  std::vector<std::string> words;
  std::vector<std::string_view> views;
  TrainingState state;
  TrainParams params;
  Matrix vectors;
};

SubwordModel make_model(LossType loss, std::uint64_t bucket = 997, std::size_t dim = 12) {
  SubwordModel m;
  for (const char* stem : {"walk", "talk", "jump", "play", "climb", "naïv"}) {
    for (const char* ending : {"", "s", "ed", "ing"}) m.words.push_back(std::string(stem) + ending);
  }
  m.views.assign(m.words.begin(), m.words.end());
  m.params.dim = static_cast<int>(dim);
  m.params.minn = 2;
  m.params.maxn = 5;
  m.params.bucket = static_cast<std::int64_t>(bucket);
  m.params.loss = loss;
  m.state.loss = loss;
  m.state.subwords = subword_settings(m.params);
  for (std::size_t i = 0; i < m.words.size(); ++i) m.state.counts.push_back(1000 - 10 * i);
  m.state.input = Matrix(m.words.size() + bucket, dim);
  m.state.input.fill_uniform(-1, 1, 7);
  m.state.output = Matrix(output_rows(loss, m.words.size()), dim);
  m.state.output.fill_uniform(-1, 1, 8);
  const Vocabulary vocab = Vocabulary::from_words(m.views, m.state.counts);
  m.vectors = composed_word_vectors(m.state.input, vocab, m.state.subwords);
  return m;
}

std::vector<float> compose(const SubwordModel& m, const std::string& word) {
  std::vector<float> out(m.state.input.cols());
  std::int32_t id = Vocabulary::kAbsent;
  for (std::size_t i = 0; i < m.words.size(); ++i) {
    if (m.words[i] == word) id = static_cast<std::int32_t>(i);
  }
  compose_word_vector(m.state.input, m.words.size(), m.state.subwords, word, id, out.data());
  return out;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    ab += double(a[k]) * b[k];
    aa += double(a[k]) * a[k];
    bb += double(b[k]) * b[k];
  }
  return ab / std::sqrt(aa * bb);
}

std::string run(const std::string& command) {
  return testing::run_shell(command).output;
}

// "word v1 v2 ..." lines, as fastText's print-word-vectors and the gensim script print them.
std::map<std::string, std::vector<float>> parse_vectors(const std::string& text) {
  std::map<std::string, std::vector<float>> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string word;
    fields >> word;
    for (float v; fields >> v;) out[word].push_back(v);
  }
  return out;
}

// Words of the model and words it never saw (sharing its n-grams, or not at all).
const std::vector<std::string> kQueries = {"walk",   "played", "naïvs",    "walker",
                                           "jumper", "climbs", "talkings", "zzqx"};

void write_lines(const std::string& path, const std::vector<std::string>& words) {
  std::ofstream out(path);
  for (const auto& w : words) out << w << "\n";
}

TEST(FastTextModel, SavedThenConvertedBackIsTheSameModel) {
  for (LossType loss :
       {LossType::kNegativeSampling, LossType::kHierarchicalSoftmax, LossType::kSoftmax}) {
    const testing::TempDir dir("fasttext-model");
    const SubwordModel m = make_model(loss);
    save_fasttext_model(dir.file("m.bin"), m.views, m.vectors, &m.state, m.params);
    ConvertedModel back = from_fasttext(load_fasttext_file(dir.file("m.bin")));
    EXPECT_EQ(back.words, m.words);
    EXPECT_EQ(back.state.counts, m.state.counts);
    EXPECT_EQ(back.state.loss, loss);
    EXPECT_EQ(back.state.subwords, m.state.subwords);
    EXPECT_EQ(back.params.minn, 2);
    EXPECT_EQ(back.params.maxn, 5);
    ASSERT_EQ(back.state.input.rows(), m.state.input.rows());
    for (std::size_t i = 0; i < m.state.input.rows(); ++i) {
      ASSERT_EQ(std::memcmp(back.state.input.row(i), m.state.input.row(i), 12 * sizeof(float)), 0);
    }
    ASSERT_EQ(back.state.output.rows(), m.state.output.rows());
    for (std::size_t i = 0; i < m.state.output.rows(); ++i) {
      for (std::size_t k = 0; k < 12; ++k) {
        ASSERT_EQ(back.state.output.row(i)[k], m.state.output.row(i)[k]) << i << "," << k;
      }
    }
    for (std::size_t i = 0; i < m.words.size(); ++i) {
      ASSERT_EQ(std::memcmp(back.vectors.row(i), m.vectors.row(i), 12 * sizeof(float)), 0);
    }
  }
}

TEST(FastTextModel, HierarchicalSoftmaxRowsChangeSign) {
  const testing::TempDir dir("fasttext-hs");
  const SubwordModel m = make_model(LossType::kHierarchicalSoftmax);
  save_fasttext_model(dir.file("m.bin"), m.views, m.vectors, &m.state, m.params);
  const FastTextModel raw = load_fasttext_file(dir.file("m.bin"));
  ASSERT_EQ(raw.output.rows(), m.words.size());  // fastText: a row per word, the last unused
  EXPECT_EQ(raw.output.row(3)[4], -m.state.output.row(3)[4]);
  EXPECT_EQ(raw.output.row(m.words.size() - 1)[0], 0.0f);
}

TEST(FastTextModel, SettingsW2vdCannotTrainAreRefused) {
  const auto converted = [](std::int32_t maxn, std::int64_t first_count) {
    FastTextModel m;
    m.args.dim = 2;
    m.args.minn = 1;
    m.args.maxn = maxn;
    m.args.bucket = 3;
    m.words = {"a", "b"};
    m.counts = {5, first_count};
    m.input = Matrix(5, 2);
    m.output = Matrix(2, 2);
    try {
      from_fasttext(std::move(m));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(converted)");
  };
  EXPECT_EQ(converted(4, 5), "(converted)");
  EXPECT_NE(converted(40, 5).find("maxn 40 is outside"), std::string::npos);
  EXPECT_NE(converted(4, 9).find("not in descending order"), std::string::npos);
}

// Debian's fastText and gensim read what w2vd writes and give the same vectors for words in the
// vocabulary and out of it; w2vd composes the same vectors from what fastText trains.
TEST(FastTextModel, FastTextAndGensimAgreeWithW2vd) {
  if (std::system("command -v fasttext >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "fastText's command-line tool is not installed";
  }
  const testing::TempDir dir("fasttext-interop");
  const SubwordModel m = make_model(LossType::kNegativeSampling);
  save_fasttext_model(dir.file("m.bin"), m.views, m.vectors, &m.state, m.params);
  write_lines(dir.file("queries.txt"), kQueries);

  const auto fasttext = parse_vectors(
      run("fasttext print-word-vectors " + dir.file("m.bin") + " < " + dir.file("queries.txt")));
  for (const auto& word : kQueries) {
    if (word == "zzqx") continue;  // no n-gram of it is known: fastText prints its zero vector
    ASSERT_TRUE(fasttext.count(word)) << word;
    EXPECT_GE(cosine(fasttext.at(word), compose(m, word)), 0.999) << "fastText, " << word;
  }

  if (std::system("/usr/bin/python3 -c 'import gensim' >/dev/null 2>&1") == 0) {
    std::ofstream(dir.file("read_with_gensim.py"))
        << "import sys\n"
           "from gensim.models.fasttext import load_facebook_vectors\n"
           "kv = load_facebook_vectors(sys.argv[1])\n"
           "for w in open(sys.argv[2], encoding='utf-8').read().split():\n"
           "    print(w, ' '.join(repr(float(x)) for x in kv[w]))\n";
    const auto gensim =
        parse_vectors(run("/usr/bin/python3 " + dir.file("read_with_gensim.py") + " " +
                          dir.file("m.bin") + " " + dir.file("queries.txt") + " 2>/dev/null"));
    for (const auto& word : kQueries) {
      if (word == "zzqx") continue;
      ASSERT_TRUE(gensim.count(word)) << word;
      EXPECT_GE(cosine(gensim.at(word), compose(m, word)), 0.999) << "gensim, " << word;
    }
  }

  // What fastText trains with subwords, composed by w2vd.
  {
    std::ofstream corpus(dir.file("corpus.txt"));
    std::mt19937 rng(5);
    for (int line = 0; line < 300; ++line) {
      for (int i = 0; i < 10; ++i) corpus << m.words[rng() % m.words.size()] << ' ';
      corpus << '\n';
    }
  }
  run("fasttext skipgram -input " + dir.file("corpus.txt") + " -output " + dir.file("theirs") +
      " -dim 8 -epoch 1 -minCount 1 -minn 2 -maxn 4 -bucket 500 -thread 1 -verbose 0");
  const auto printed = parse_vectors(run("fasttext print-word-vectors " + dir.file("theirs.bin") +
                                         " < " + dir.file("queries.txt")));
  ConvertedModel theirs = from_fasttext(load_fasttext_file(dir.file("theirs.bin")));
  ASSERT_TRUE(theirs.state.subwords.enabled());
  for (const auto& word : kQueries) {
    if (word == "zzqx") continue;
    std::vector<float> ours(8);
    std::int32_t id = Vocabulary::kAbsent;
    for (std::size_t i = 0; i < theirs.words.size(); ++i) {
      if (theirs.words[i] == word) id = static_cast<std::int32_t>(i);
    }
    compose_word_vector(theirs.state.input, theirs.words.size(), theirs.state.subwords, word, id,
                        ours.data());
    ASSERT_TRUE(printed.count(word)) << word;
    EXPECT_GE(cosine(printed.at(word), ours), 0.999) << "trained by fastText, " << word;
    if (id != Vocabulary::kAbsent) {
      const auto row = theirs.vectors.row_span(static_cast<std::size_t>(id));
      EXPECT_GE(cosine(printed.at(word), std::vector<float>(row.begin(), row.end())), 0.999);
    }
  }
}

}  // namespace
}  // namespace w2v
