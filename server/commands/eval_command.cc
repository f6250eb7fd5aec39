#include "server/commands/eval_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "core/search/evaluation.h"

namespace w2v::server {
namespace {

struct EvalOptions {
  std::string vectors, format = "auto", method = "add";
  std::vector<std::string> analogies, pairs;
  std::size_t restrict_vocab = 30000;
  bool json = false;
};

int run_eval(const EvalOptions& o) {
  VectorsFormat format{};
  if (o.format == "auto") {
    format = detect_vectors_format(o.vectors);
  } else if (auto f = parse_vectors_format(o.format)) {
    format = *f;
  } else {
    std::cerr << "w2vd eval: --format must be auto|text|binary\n";
    return 2;
  }
  WordVectors wv = load_vectors_file(o.vectors, format);
  const Embeddings emb(std::move(wv.words), std::move(wv.vectors));
  nlohmann::json out = {{"vectors", o.vectors}, {"words", emb.size()}, {"dim", emb.dim()}};
  AnalogyOptions aopt;
  aopt.restrict_vocab = o.restrict_vocab;
  aopt.method = o.method == "mul" ? AnalogyMethod::kMul : AnalogyMethod::kAdd;
  for (const auto& path : o.analogies) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    const AnalogyScores s = evaluate_analogies(emb, in, aopt);
    out["analogies"][path] = {{"accuracy", s.accuracy()},
                              {"coverage", s.coverage()},
                              {"correct", s.correct},
                              {"covered", s.covered},
                              {"questions", s.questions},
                              {"semantic_correct", s.semantic_correct},
                              {"semantic_covered", s.semantic_covered},
                              {"syntactic_correct", s.syntactic_correct},
                              {"syntactic_covered", s.syntactic_covered}};
    if (!o.json) {
      std::printf("analogies %s: accuracy %.2f%% (%zu/%zu), coverage %.1f%% of %zu questions\n",
                  path.c_str(), 100 * s.accuracy(), s.correct, s.covered, 100 * s.coverage(),
                  s.questions);
    }
  }
  for (const auto& path : o.pairs) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    const PairScores s = evaluate_pairs(emb, in);
    out["pairs"][path] = {
        {"spearman", s.spearman}, {"pearson", s.pearson}, {"pairs", s.pairs}, {"used", s.used}};
    if (!o.json) {
      std::printf("pairs %s: spearman %.4f, pearson %.4f (%zu of %zu pairs)\n", path.c_str(),
                  s.spearman, s.pearson, s.used, s.pairs);
    }
  }
  if (o.json) std::cout << out.dump(2) << '\n';
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto eval_opts = std::make_shared<EvalOptions>();
  CLI::App* eval =
      app.add_subcommand("eval", "evaluate a vectors file on analogies and word pairs");
  eval->add_option("--vectors", eval_opts->vectors, "word2vec-format vectors file")
      ->required()
      ->check(CLI::ExistingFile);
  eval->add_option("--format", eval_opts->format, "auto, text or binary")->capture_default_str();
  eval->add_option("--analogies", eval_opts->analogies, "questions-words-format file (repeatable)")
      ->check(CLI::ExistingFile);
  eval->add_option("--pairs", eval_opts->pairs, "word-pair similarity file (repeatable)")
      ->check(CLI::ExistingFile);
  eval->add_option("--restrict", eval_opts->restrict_vocab,
                   "analogies use the most frequent N words (0: all)")
      ->capture_default_str();
  eval->add_option("--method", eval_opts->method, "analogy method: add (3CosAdd) or mul (3CosMul)")
      ->check(CLI::IsMember({"add", "mul"}))
      ->capture_default_str();
  eval->add_flag("--json", eval_opts->json, "print the scores as JSON");
  eval->callback([eval_opts, &exit_code] {
    try {
      exit_code = run_eval(*eval_opts);
    } catch (const std::exception& e) {
      std::cerr << "w2vd eval: " << e.what() << '\n';
      exit_code = 1;
    }
  });
}

}  // namespace w2v::server
