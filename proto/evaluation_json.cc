#include "proto/evaluation_json.h"

#include "proto/json_text.h"

namespace w2v::proto {
namespace {

double ratio(std::size_t a, std::size_t b) {
  return b ? static_cast<double>(a) / b : 0.0;
}

}  // namespace

nlohmann::json to_json(const AnalogyScores& s) {
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& sec : s.sections) {
    sections.push_back({{"name", json_string(sec.name)},
                        {"questions", sec.questions},
                        {"covered", sec.covered},
                        {"correct", sec.correct},
                        {"accuracy", ratio(sec.correct, sec.covered)}});
  }
  return {{"kind", "analogies"},
          {"accuracy", s.accuracy()},
          {"coverage", s.coverage()},
          {"correct", s.correct},
          {"covered", s.covered},
          {"questions", s.questions},
          {"semantic_accuracy", ratio(s.semantic_correct, s.semantic_covered)},
          {"syntactic_accuracy", ratio(s.syntactic_correct, s.syntactic_covered)},
          {"sections", std::move(sections)}};
}

nlohmann::json to_json(const PairScores& s) {
  return {{"kind", "pairs"},
          {"spearman", s.spearman},
          {"pearson", s.pearson},
          {"pairs", s.pairs},
          {"used", s.used}};
}

}  // namespace w2v::proto
