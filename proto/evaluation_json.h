#pragma once
// JSON for evaluation scores (model records' "evaluation" and POST /v1/models/{id}/evaluate).

#include <nlohmann/json.hpp>

#include "core/search/evaluation_scores.h"

namespace w2v::proto {

// {"kind": "analogies", "accuracy", "coverage", "correct", "covered", "questions",
//  "semantic_accuracy", "syntactic_accuracy", "sections": [{name, questions, covered, correct,
//  accuracy}]}
nlohmann::json to_json(const AnalogyScores& s);
// {"kind": "pairs", "spearman", "pearson", "pairs", "used"}
nlohmann::json to_json(const PairScores& s);

}  // namespace w2v::proto
