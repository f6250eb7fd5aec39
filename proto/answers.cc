#include "proto/answers.h"

#include "proto/json_text.h"

namespace w2v::proto {
namespace {

template <class Record>
nlohmann::json list_to_json(const char* key, const std::vector<Record>& records) {
  nlohmann::json list = nlohmann::json::array();
  for (const Record& r : records) list.push_back(to_json(r));
  return {{key, list}};
}

nlohmann::json scored_to_json(const std::vector<ScoredWord>& words) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScoredWord& w : words)
    out.push_back({{"word", json_string(w.word)}, {"score", w.score}});
  return out;
}

}  // namespace

nlohmann::json corpora_to_json(const std::vector<CorpusRecord>& corpora) {
  return list_to_json("corpora", corpora);
}

nlohmann::json jobs_to_json(const std::vector<JobRecord>& jobs) {
  return list_to_json("jobs", jobs);
}

nlohmann::json models_to_json(const std::vector<ModelRecord>& models) {
  return list_to_json("models", models);
}

nlohmann::json to_json(const NeighborsAnswer& a) {
  nlohmann::json out = {{"results", scored_to_json(a.results)}, {"oov", a.oov}};
  if (a.search) out["search"] = name_of(kSearchNames, *a.search);
  if (a.index) out["index"] = to_json(*a.index);
  return out;
}

// A batch's results: each word, whether it was found and, when it was, what (under key).
template <class T, class Write>
nlohmann::json per_word_json(const std::vector<PerWord<T>>& results, const char* key, Write write) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : results) {
    nlohmann::json r = {{"word", json_string(item.word)}, {"found", item.found.has_value()}};
    if (item.found) {
      r["oov"] = item.oov;
      r[key] = write(*item.found);
    }
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json to_json(const BatchVectorsAnswer& a) {
  return {{"results", per_word_json(a.results, "vector", [](const std::vector<float>& v) {
             return nlohmann::json(v);
           })}};
}

nlohmann::json to_json(const BatchNeighborsAnswer& a) {
  nlohmann::json out = {{"results", per_word_json(a.results, "neighbors", scored_to_json)},
                        {"search", name_of(kSearchNames, a.search)}};
  if (a.index) out["index"] = to_json(*a.index);
  return out;
}

nlohmann::json to_json(const WordVectorAnswer& a) {
  return {{"word", json_string(a.word)}, {"vector", a.vector}, {"oov", a.oov}};
}

nlohmann::json to_json(const SimilarityAnswer& a) {
  return {{"similarity", a.similarity}, {"oov", a.oov}};
}

nlohmann::json to_json(const CompletionsAnswer& a) {
  nlohmann::json words = nlohmann::json::array();
  for (const auto& w : a.words) words.push_back({{"word", json_string(w.word)}, {"rank", w.rank}});
  return {{"words", words}, {"more", a.more}};
}

nlohmann::json to_json(const WordMapAnswer& a) {
  nlohmann::json words = nlohmann::json::array();
  for (const std::string& w : a.words) words.push_back(json_string(w));
  return {{"words", words},
          {"x", a.x},
          {"y", a.y},
          {"explained", {a.explained_x, a.explained_y}},
          {"max_n", a.max_n}};
}

nlohmann::json job_history_to_json(nlohmann::json history, const std::string& job_id) {
  history["job_id"] = job_id;
  return history;
}

std::string health_body(std::string_view isa) {
  return R"({"status":"ok","isa":")" + std::string(isa) + R"("})";
}

std::string ready_body() {
  return R"({"status":"ready"})";
}

}  // namespace w2v::proto
