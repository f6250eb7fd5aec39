// similar, analogy, similarity, vector, evaluate: queries on a model.

#include <cmath>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"

namespace w2v::ctl {
namespace {

// {"results": [{"word", "score"}, ...]} as the API answers.
nlohmann::json results_json(const client::ScoredWords& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [word, score] : results) {
    list.push_back({{"word", proto::json_string(word)}, {"score", score}});
  }
  return {{"results", list}};
}

// What the table says of a query with a word outside the model's vocabulary.
std::string oov_note(const std::vector<std::string>& words) {
  return words.size() == 1 ? words[0] + " (from its character n-grams)"
                           : "a query word is outside the vocabulary (from its character n-grams)";
}

// What w2vctl says of an approximate query the exact search answered: why, from the model's index
// as the answer shows it ("" when it says nothing).
std::string index_note(const proto::IndexStatus& index) {
  switch (index.state) {
    case proto::IndexState::kBuilding:
      return "the model's index is building (" + fixed(100 * index.progress, 0) +
             "% of its words): answered by the exact search";
    case proto::IndexState::kLoading:
      return "the model's index is loading: answered by the exact search";
    case proto::IndexState::kFailed:
      return "the model's index could not be built (" + index.error.value_or("no reason given") +
             "): answered by the exact search";
    case proto::IndexState::kNone:
    case proto::IndexState::kReady:
      break;
  }
  return "";
}

// oov: the query's words, when one of them was outside the vocabulary (the table says so).
void print_results(Context& ctx, const client::ScoredWords& results, bool oov = false,
                   const std::vector<std::string>& words = {}) {
  if (ctx.json) {
    nlohmann::json j = results_json(results);
    j["oov"] = oov;
    ctx.print_json(j);
    return;
  }
  if (ctx.quiet) {
    for (const auto& r : results) std::printf("%s\n", r.first.c_str());
    return;
  }
  if (oov) std::printf("%s\n", oov_note(words).c_str());
  Table t({{"#", true}, {"WORD"}, {"SCORE", true}});
  std::size_t rank = 0;
  for (const auto& [word, score] : results) {
    t.add({std::to_string(++rank), word, fixed(score, 4)});
  }
  t.print(stdout);
}

struct SimilarOptions {
  std::string model;
  std::vector<std::string> words;
  std::vector<std::string> negative;
  std::size_t k = 10;
  bool exact = false, approximate = false;
};

struct AnalogyOptions {
  std::string model, a, b, c;
  std::size_t k = 10;
  std::string method = "add";
};

struct PairOptions {
  std::string model, a, b;
};

struct VectorOptions {
  std::string model;
  std::vector<std::string> words;
};

struct EvaluateOptions {
  std::string model;
  std::string analogies, pairs;
};

int similar(Context& ctx, const SimilarOptions& o) {
  std::optional<bool> exact;
  if (o.exact) exact = true;
  if (o.approximate) exact = false;
  std::string search;
  bool oov = false;
  proto::IndexStatus index;
  const auto results =
      ctx.api().similar(o.model, o.words, o.negative, o.k, exact, &search, &oov, &index);
  if (ctx.json) {
    nlohmann::json j = results_json(results);
    j["search"] = search;
    j["oov"] = oov;
    if (index.state != proto::IndexState::kNone) j["index"] = proto::to_json(index);
    ctx.print_json(j);
  } else {
    if (const std::string note = index_note(index); !note.empty() && !ctx.quiet) {
      std::fprintf(stderr, "w2vctl: %s\n", note.c_str());
    }
    std::vector<std::string> words(o.words);
    words.insert(words.end(), o.negative.begin(), o.negative.end());
    print_results(ctx, results, oov, words);
  }
  return kExitOk;
}

int analogy(Context& ctx, const AnalogyOptions& o) {
  bool oov = false;
  const auto results = ctx.api().analogy(
      o.model,
      proto::AnalogyRequest{o.a, o.b, o.c, o.k,
                            value_of(kAnalogyMethodNames, o.method).value_or(AnalogyMethod::kAdd)},
      &oov);
  print_results(ctx, results, oov, {o.a, o.b, o.c});
  return kExitOk;
}

int similarity(Context& ctx, const PairOptions& o) {
  bool oov = false;
  const double s = ctx.api().similarity(o.model, o.a, o.b, &oov);
  if (ctx.json) {
    ctx.print_json({{"similarity", s}, {"oov", oov}});
  } else {
    std::printf("%s\n", fixed(s, 4).c_str());
    if (oov && !ctx.quiet) std::fprintf(stderr, "w2vctl: %s\n", oov_note({o.a, o.b}).c_str());
  }
  return kExitOk;
}

// word2vec's text format: the word, then the components.
void print_vector_line(const std::string& word, const std::vector<float>& v) {
  std::string line = word;
  char buf[32];
  for (const float x : v) {
    std::snprintf(buf, sizeof buf, " %.6g", static_cast<double>(x));
    line += buf;
  }
  std::printf("%s\n", line.c_str());
}

// One word: GET /words/{word} (404 when unknown). Several: the batch call; the vectors of the
// words the model has, then the others named on standard error (exit 4 when there are any).
int vector(Context& ctx, const VectorOptions& o) {
  if (o.words.size() == 1) {
    bool oov = false;
    const auto v = ctx.api().vector(o.model, o.words[0], &oov);
    if (ctx.json) {
      ctx.print_json({{"word", proto::json_string(o.words[0])}, {"vector", v}, {"oov", oov}});
    } else {
      print_vector_line(o.words[0], v);  // standard output stays word2vec's text format
      if (oov && !ctx.quiet) std::fprintf(stderr, "w2vctl: %s\n", oov_note(o.words).c_str());
    }
    return kExitOk;
  }
  std::vector<bool> oov;
  const auto vectors = ctx.api().vectors(o.model, o.words, &oov);
  nlohmann::json results = nlohmann::json::array();
  std::string unknown;
  for (std::size_t i = 0; i < o.words.size(); ++i) {
    const std::string& w = o.words[i];
    if (!vectors[i]) {
      unknown += (unknown.empty() ? "" : ", ") + w;
      results.push_back({{"word", proto::json_string(w)}, {"found", false}});
    } else if (ctx.json) {
      results.push_back({{"word", proto::json_string(w)},
                         {"found", true},
                         {"oov", static_cast<bool>(oov[i])},
                         {"vector", *vectors[i]}});
    } else {
      print_vector_line(w, *vectors[i]);
      if (oov[i] && !ctx.quiet) std::fprintf(stderr, "w2vctl: %s\n", oov_note({w}).c_str());
    }
  }
  if (ctx.json) ctx.print_json({{"results", results}});
  if (unknown.empty()) return kExitOk;
  std::fprintf(stderr, "w2vctl: not in model %s: %s\n", o.model.c_str(), unknown.c_str());
  return kExitNotFound;
}

double number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

std::uint64_t count(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<std::uint64_t>() : 0;
}

int evaluate(Context& ctx, const EvaluateOptions& o) {
  if (o.analogies.empty() && o.pairs.empty()) {
    throw UsageError("evaluate needs --analogies FILE or --pairs FILE");
  }
  const bool analogies = !o.analogies.empty();
  const auto scores = ctx.api().evaluate(o.model, analogies ? o.analogies : o.pairs,
                                         analogies ? "analogies" : "pairs");
  if (ctx.json) {
    ctx.print_json(scores);
    return kExitOk;
  }
  if (analogies) {
    Details d;
    d.add("accuracy", percent(number(scores, "accuracy")) + " (" +
                          grouped(count(scores, "correct")) + " of " +
                          grouped(count(scores, "covered")) + " answerable questions)");
    d.add("coverage", percent(number(scores, "coverage")) + " of " +
                          grouped(count(scores, "questions")) + " questions");
    d.add("semantic", percent(number(scores, "semantic_accuracy")));
    d.add("syntactic", percent(number(scores, "syntactic_accuracy")));
    d.print(stdout);
    if (scores.contains("sections") && scores["sections"].is_array() &&
        !scores["sections"].empty() && !ctx.quiet) {
      std::printf("\n");
      Table t({{"SECTION"}, {"QUESTIONS", true}, {"COVERED", true}, {"ACCURACY", true}});
      for (const auto& s : scores["sections"]) {
        t.add({s.value("name", ""), grouped(count(s, "questions")), grouped(count(s, "covered")),
               percent(number(s, "accuracy"))});
      }
      t.print(stdout);
    }
  } else {
    Details d;
    d.add("spearman", fixed(number(scores, "spearman"), 4));
    d.add("pearson", fixed(number(scores, "pearson"), 4));
    d.add("pairs", grouped(count(scores, "used")) + " of " + grouped(count(scores, "pairs")) +
                       " with both words in the vocabulary");
    d.print(stdout);
  }
  return kExitOk;
}

}  // namespace

void add_query_commands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto o = std::make_shared<SimilarOptions>();
    CLI::App* cmd = app.add_subcommand(
        "similar",
        "Nearest neighbours of words by cosine (several words and --negative: gensim's "
        "most_similar)");
    cmd->add_option("MODEL", o->model, "The model's id (m_...)")->required();
    cmd->add_option("WORD", o->words, "The words to add up")->required();
    cmd->add_option("-n,--negative", o->negative, "Words to subtract (repeat or list)");
    cmd->add_option("-k", o->k, "How many neighbours, 1-1000")->capture_default_str();
    CLI::Option* exact = cmd->add_flag("--exact", o->exact,
                                       "Score every word (the default unless the model's "
                                       "search setting is approximate)");
    cmd->add_flag("--approximate", o->approximate,
                  "Search the model's HNSW index (built on first use)")
        ->excludes(exact);
    cmd->footer(examples({
        "w2vctl similar m_4d5e6f king",
        "w2vctl similar m_4d5e6f king --approximate",
        "w2vctl similar m_4d5e6f king woman --negative man -k 5",
        "w2vctl similar m_4d5e6f paris --json | jq -r '.results[].word'",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return similar(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<AnalogyOptions>();
    CLI::App* cmd = app.add_subcommand("analogy", "A is to B as C is to ?");
    cmd->add_option("MODEL", o->model, "The model's id (m_...)")->required();
    cmd->add_option("A", o->a)->required();
    cmd->add_option("B", o->b)->required();
    cmd->add_option("C", o->c)->required();
    cmd->add_option("-k", o->k, "How many answers, 1-1000")->capture_default_str();
    cmd->add_option("--method", o->method, "add (3CosAdd) or mul (3CosMul)")
        ->check(one_of(kAnalogyMethodNames))
        ->capture_default_str();
    cmd->footer(examples({
        "w2vctl analogy m_4d5e6f man king woman",
        "w2vctl analogy m_4d5e6f paris france berlin --method mul -k 3",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return analogy(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<PairOptions>();
    CLI::App* cmd = app.add_subcommand("similarity", "Cosine similarity of two words");
    cmd->add_option("MODEL", o->model, "The model's id (m_...)")->required();
    cmd->add_option("A", o->a)->required();
    cmd->add_option("B", o->b)->required();
    cmd->footer(examples({"w2vctl similarity m_4d5e6f cat dog"}));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return similarity(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<VectorOptions>();
    CLI::App* cmd = app.add_subcommand(
        "vector",
        "Words' vectors (as word2vec text lines: the word, then the components); several words "
        "in one request per 1000");
    cmd->add_option("MODEL", o->model, "The model's id (m_...)")->required();
    cmd->add_option("WORD", o->words, "One or more words")->required();
    cmd->footer(examples({"w2vctl vector m_4d5e6f king", "w2vctl vector m_4d5e6f king queen --json",
                          "w2vctl vector m_4d5e6f $(cat words.txt) > vectors.txt"}));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return vector(ctx, *o); }; });
  }
  {
    auto o = std::make_shared<EvaluateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "evaluate",
        "Score a model on word analogies (questions-words format) or on word-pair similarity "
        "judgements (\"word word score\" lines)");
    cmd->add_option("MODEL", o->model, "The model's id (m_...)")->required();
    auto* analogies =
        cmd->add_option("--analogies", o->analogies, "A questions-words file (accuracy)")
            ->check(CLI::ExistingFile);
    auto* pairs =
        cmd->add_option("--pairs", o->pairs, "A word-pair file, e.g. WordSim-353 (Spearman's rho)")
            ->check(CLI::ExistingFile);
    analogies->excludes(pairs);
    cmd->footer(examples({
        "w2vctl evaluate m_4d5e6f --analogies questions-words.txt",
        "w2vctl evaluate m_4d5e6f --pairs wordsim353.tsv",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return evaluate(ctx, *o); }; });
  }
}

}  // namespace w2v::ctl
