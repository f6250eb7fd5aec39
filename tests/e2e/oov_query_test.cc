// Out-of-vocabulary queries over the API: a model trained with subwords answers for a word
// outside its vocabulary from the word's character n-grams, says so ("oov": true), and finds
// vocabulary words; a word with no known n-gram, or any unknown word of a model without
// subwords, is a 404 naming it. The n-gram rows are counted in the model cache's bytes. A
// damaged training state (where the n-gram rows are read from, in place) marks the model broken
// when its header is cut, and `w2vd check` finds damage inside its rows.

#include <cstdio>
#include <random>
#include <set>

#include "core/vocab/subword_ngrams.h"
#include "e2e/fault_support.h"
#include "e2e/support.h"
#include "support/shell_command.h"

namespace w2v::testing {
namespace {

constexpr int kFamilies = 24;
const char* const kSuffixes[] = {"", "s", "ed", "ing"};
constexpr std::int64_t kBucket = 200'000;
constexpr int kDim = 40;

// Family f's stem: six random lowercase letters (seeded), so families share no stem n-gram.
std::string stem(int f) {
  std::mt19937_64 rng(1000 + static_cast<std::uint64_t>(f));
  std::string s;
  for (int i = 0; i < 6; ++i) s.push_back(static_cast<char>('a' + rng() % 26));
  return s;
}
std::string form(int f, int suffix) {
  return stem(f) + kSuffixes[suffix];
}
// Held back from the corpus: the "ing" form of every even family.
bool held_back(int f, int suffix) {
  return suffix == 3 && f % 2 == 0;
}

// Sentences of one family each in random forms, the held-back forms left out: a family's forms
// share their contexts and their stem's n-grams.
std::string family_corpus() {
  std::mt19937_64 rng(3);
  std::string text;
  for (int s = 0; s < 12000; ++s) {
    const int f = static_cast<int>(rng() % kFamilies);
    for (int w = 0; w < 10; ++w) {
      int x = 0;
      do {
        x = static_cast<int>(rng() % 4);
      } while (held_back(f, x));
      text += form(f, x) + (w == 9 ? "\n" : " ");
    }
  }
  return text;
}

std::set<std::string> vocabulary() {
  std::set<std::string> v;
  for (int f = 0; f < kFamilies; ++f) {
    for (int x = 0; x < 4; ++x) {
      if (!held_back(f, x)) v.insert(form(f, x));
    }
  }
  return v;
}

// A word none of whose n-grams falls in a bucket of a vocabulary word's n-gram.
std::string word_with_no_known_ngram() {
  std::set<std::uint64_t> known;
  const auto buckets = [](const std::string& w, auto&& f) {
    for_each_ngram(w, 3, 5, [&](std::string_view g) { f(fasttext_hash(g) % kBucket); });
  };
  for (const auto& w : vocabulary()) buckets(w, [&](std::uint64_t b) { known.insert(b); });
  for (int i = 0;; ++i) {
    std::string w = "zq" + std::to_string(i) + "xj";
    bool any = false;
    buckets(w, [&](std::uint64_t b) { any = any || known.count(b) != 0; });
    if (!any) return w;
  }
}

double gauge(client::W2vdClient& api, const std::string& name) {
  const std::string text = api.http().request("GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

struct SubwordModel : Daemon {
  SubwordModel() {
    const auto corpus =
        api.upload_corpus(write_file(dir.path() + "/families.txt", family_corpus()), "families");
    const auto job = submit_job(api, corpus.id,
                                {{"dim", kDim},
                                 {"min_count", 1},
                                 {"epochs", 5},
                                 {"seed", 11},
                                 {"threads", 2},
                                 {"minn", 3},
                                 {"maxn", 5},
                                 {"bucket", kBucket}});
    const auto done = api.watch_job(job.id);
    EXPECT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("") << server.log();
    model = done.model_id.value_or("none");
  }
  nlohmann::json get(const std::string& target, int status = 200) {
    const auto r = api.http().request("GET", "/v1/models/" + model + target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return nlohmann::json::parse(r.body);
  }
  nlohmann::json post(const std::string& target, const nlohmann::json& body, int status = 200) {
    const auto r = api.http().request("POST", "/v1/models/" + model + target, body.dump());
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    return nlohmann::json::parse(r.body);
  }
  std::string model;
};

// How many of the answer's results are forms of family f; every result must be a vocabulary
// word.
int family_hits(const nlohmann::json& answer, int f, std::size_t top) {
  const auto vocab = vocabulary();
  int hits = 0;
  const auto& results = answer.at("results");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string w = results[i].at("word");
    EXPECT_EQ(vocab.count(w), 1u) << w << " is not a vocabulary word";
    if (i < top && w.starts_with(stem(f))) ++hits;
  }
  return hits;
}

TEST(OovQueries, AHeldBackFormIsAnsweredFromItsNgramsNearItsFamily) {
  SubwordModel d;
  const std::string walking = form(0, 3);  // held back
  ASSERT_EQ(vocabulary().count(walking), 0u);
  const double cache_before = [&] {
    d.get("/words/" + form(0, 0));  // loads the vectors alone
    return gauge(d.api, "w2vd_model_cache_bytes");
  }();

  const auto vec = d.get("/words/" + walking);
  EXPECT_EQ(vec.at("oov"), true);
  EXPECT_EQ(vec.at("word"), walking);
  EXPECT_EQ(vec.at("vector").size(), static_cast<std::size_t>(kDim));
  EXPECT_EQ(d.get("/words/" + form(0, 1)).at("oov"), false);
  // The n-gram rows ((words + bucket) × dim floats) are now counted with the model.
  EXPECT_GE(gauge(d.api, "w2vd_model_cache_bytes") - cache_before,
            static_cast<double>(kBucket) * kDim * sizeof(float));

  // Exact and HNSW search: vocabulary words, its family's three forms first. The index is made
  // in the background; until it is ready the exact search answers.
  const auto first = d.get("/similar?k=5&exact=false&word=" + walking);
  EXPECT_EQ(first.at("oov"), true);
  EXPECT_GE(family_hits(first, 0, 3), 2) << first.dump();
  ASSERT_EQ(wait_for_index(d.api, d.model).state, proto::IndexState::kReady);
  for (const std::string exact : {"true", "false"}) {
    const auto near = d.get("/similar?k=5&exact=" + exact + "&word=" + walking);
    EXPECT_EQ(near.at("oov"), true);
    EXPECT_EQ(near.at("search"), exact == "true" ? "exact" : "approximate");
    EXPECT_EQ(near.at("results").size(), 5u);
    EXPECT_GE(family_hits(near, 0, 3), 2) << near.dump();
  }
  const auto known = d.get("/similar?k=5&word=" + form(1, 3));
  EXPECT_EQ(known.at("oov"), false);

  // POST /similar mixes vocabulary and out-of-vocabulary words.
  const auto mixed = d.post("/similar", {{"positive", {walking, form(2, 3)}}, {"k", 5}});
  EXPECT_EQ(mixed.at("oov"), true);
  for (const auto& r : mixed.at("results")) EXPECT_NE(r.at("word"), form(2, 3));

  // Similarity: closer to its own stem than to another family's.
  const auto same = d.get("/similarity?a=" + walking + "&b=" + form(0, 2));
  const auto other = d.get("/similarity?a=" + walking + "&b=" + form(5, 2));
  EXPECT_EQ(same.at("oov"), true);
  EXPECT_GT(same.at("similarity").get<double>(), other.at("similarity").get<double>());
  EXPECT_EQ(d.get("/similarity?a=" + form(0, 0) + "&b=" + form(0, 1)).at("oov"), false);

  // Analogy with an out-of-vocabulary word, both methods: vocabulary words, the query's
  // vocabulary words excluded.
  for (const std::string method : {"add", "mul"}) {
    const auto a = d.post(
        "/analogy",
        {{"a", form(1, 0)}, {"b", form(1, 3)}, {"c", form(0, 0)}, {"k", 5}, {"method", method}});
    EXPECT_EQ(a.at("oov"), false);
    const auto b = d.post(
        "/analogy",
        {{"a", form(0, 0)}, {"b", walking}, {"c", form(1, 0)}, {"k", 5}, {"method", method}});
    EXPECT_EQ(b.at("oov"), true);
    EXPECT_EQ(b.at("results").size(), 5u);
    EXPECT_GE(family_hits(b, 1, 5), 2) << b.dump();  // c's family
    for (const auto& r : b.at("results")) {
      EXPECT_NE(r.at("word"), form(0, 0));
      EXPECT_NE(r.at("word"), form(1, 0));
    }
  }
}

// w2vctl's standard output and exit code for args (a shell runs it: the words here need no
// quoting).
std::pair<std::string, int> w2vctl(const std::string& url, const std::string& args) {
  const std::string command = std::string(W2VCTL_BINARY) + " --server " + url + " " + args;
  const CommandResult r = run_shell(command);
  return {r.output, r.exit_code};
}

TEST(OovQueries, W2vctlSaysTheWordIsFromItsNgrams) {
  SubwordModel d;
  const std::string walking = form(4, 3);
  const auto [table, code] = w2vctl(d.server.url(), "similar " + d.model + " " + walking + " -k 3");
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(table.starts_with(walking + " (from its character n-grams)\n")) << table;
  const auto [known, known_code] =
      w2vctl(d.server.url(), "similar " + d.model + " " + form(4, 0) + " -k 3");
  EXPECT_EQ(known_code, 0);
  EXPECT_EQ(known.find("character n-grams"), std::string::npos) << known;
  const auto [json, json_code] =
      w2vctl(d.server.url(),
             "--json analogy " + d.model + " " + form(5, 0) + " " + walking + " " + form(6, 0));
  EXPECT_EQ(json_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json).at("oov"), true) << json;
  const auto [vectors, vectors_code] =
      w2vctl(d.server.url(), "--json vector " + d.model + " " + form(4, 0) + " " + walking);
  EXPECT_EQ(vectors_code, 0);
  const auto results = nlohmann::json::parse(vectors).at("results");
  EXPECT_EQ(results.at(0).at("oov"), false) << vectors;
  EXPECT_EQ(results.at(1).at("oov"), true) << vectors;
}

TEST(OovQueries, BatchesAnswerPerWordAndUnknownNgramsAre404s) {
  SubwordModel d;
  const std::string walking = form(2, 3), none = word_with_no_known_ngram();
  const auto vectors = d.post("/batch/vectors", {{"words", {form(2, 0), walking, none}}});
  const auto& v = vectors.at("results");
  EXPECT_EQ(v[0].at("found"), true);
  EXPECT_EQ(v[0].at("oov"), false);
  EXPECT_EQ(v[1].at("found"), true);
  EXPECT_EQ(v[1].at("oov"), true);
  EXPECT_EQ(v[1].at("vector"), d.get("/words/" + walking).at("vector"));
  EXPECT_EQ(v[2].at("found"), false);
  for (const bool exact : {true, false}) {
    const auto similar = d.post(
        "/batch/similar", {{"words", {form(2, 0), walking, none}}, {"k", 4}, {"exact", exact}});
    const auto& s = similar.at("results");
    EXPECT_EQ(s[1].at("oov"), true);
    EXPECT_GE(family_hits({{"results", s[1].at("neighbors")}}, 2, 3), 2) << s[1].dump();
    EXPECT_EQ(s[2].at("found"), false);
  }

  // A word with no known n-gram is not in the model, as without subwords.
  for (const std::string& target :
       {"/words/" + none, "/similar?word=" + none, "/similarity?a=" + form(0, 0) + "&b=" + none}) {
    const auto e = d.get(target, 404);
    EXPECT_EQ(e.at("error").at("code"), "word_not_found");
    EXPECT_NE(e.at("error").at("message").get<std::string>().find(none), std::string::npos);
  }
  d.post("/analogy", {{"a", none}, {"b", form(0, 0)}, {"c", form(1, 0)}}, 404);
}

TEST(OovQueries, ADamagedTrainingStateIsFoundNotServed) {
  SubwordModel d;
  const std::string walking = form(2, 3);
  const std::string data = d.server.data_dir();
  const std::string state = data + "/models/" + d.model + "/training_state.bin";
  const auto size = std::filesystem::file_size(state);
  ASSERT_EQ(d.server.stop(SIGTERM), 0) << d.server.log();
  EXPECT_EQ(run_check(data).exit_code, 0);

  // A flipped byte in the last n-gram row: `w2vd check` reads every byte and finds it.
  {
    std::fstream f(state, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 3));
    f.put('\x55');
  }
  const auto check = run_check(data);
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("training_state.bin: checksum mismatch"), std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("restore it from a backup"), std::string::npos) << check.output;

  // Cut short: the first out-of-vocabulary query finds it, and the model is marked broken (409),
  // never a 500; in-vocabulary words were served before and the mark now refuses them too.
  std::filesystem::resize_file(state, size - 4);
  d.server.restart();
  client::W2vdClient api({d.server.url(), "", std::chrono::seconds(60)});
  const auto in_vocab = api.http().request("GET", "/v1/models/" + d.model + "/words/" + form(2, 0));
  EXPECT_EQ(in_vocab.status, 200) << in_vocab.body;
  const auto r = api.http().request("GET", "/v1/models/" + d.model + "/words/" + walking);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(error_of(r).code, "model_broken") << r.body;
  EXPECT_NE(error_of(r).message.find("truncated"), std::string::npos) << r.body;
  EXPECT_EQ(api.model(d.model).state(), "broken");
  EXPECT_EQ(d.server.log().find("internal_error"), std::string::npos) << d.server.log();
}

TEST(OovQueries, ModelsWithoutSubwordsAnswerUnknownWordsWith404) {
  Daemon d;
  const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted");
  const auto done = d.api.watch_job(submit_job(d.api, corpus.id, planted_job_params(1)).id);
  ASSERT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("");
  const auto imported = d.api.import_model(write_random_model(d.dir.path() + "/r.bin", 50, 8));
  for (const std::string& model : {*done.model_id, imported.id}) {
    // "t0w1" is a planted word; "t0w1s" shares its n-grams but has no row.
    for (const std::string target :
         {"/words/t0w1s", "/similar?word=t0w1s", "/similarity?a=t0w1s&b=t0w1"}) {
      const auto r = d.api.http().request("GET", "/v1/models/" + model + target);
      EXPECT_EQ(r.status, 404) << r.body;
      EXPECT_EQ(error_of(r).code, "word_not_found");
      EXPECT_NE(error_of(r).message.find("t0w1s"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace w2v::testing
