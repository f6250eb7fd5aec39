#include "server/handlers/query_model.h"

#include <algorithm>
#include <cmath>

#include "proto/api_error.h"
#include "proto/json_text.h"

namespace w2v::server {
namespace {

// Adds sign × the unit vector of v to out.
void add_unit_vector(std::span<const float> v, float sign, std::vector<float>& out) {
  double norm = 0;
  for (const float x : v) norm += static_cast<double>(x) * x;
  if (norm == 0) return;
  const auto s = static_cast<float>(sign / std::sqrt(norm));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += s * v[i];
}

}  // namespace

std::optional<QueryWord> QueryModel::find(const std::string& word) const {
  if (const auto r = emb->find(word)) return QueryWord{*r, {}};
  if (!oov) return std::nullopt;
  QueryWord w;
  w.composed.resize(emb->dim());
  if (!oov->compose(word, w.composed)) return std::nullopt;
  return w;
}

QueryWord QueryModel::word(const std::string& word) const {
  if (auto w = find(word)) return std::move(*w);
  const std::string why = oov ? " and shares no character n-gram with its vocabulary" : "";
  throw proto::ApiError::not_found(
      "word '" + proto::json_string(word) + "' is not in model " + id + why, "word_not_found");
}

std::vector<QueryWord> QueryModel::words(const std::vector<std::string>& ws) const {
  std::vector<QueryWord> out;
  out.reserve(ws.size());
  for (const auto& w : ws) out.push_back(word(w));
  return out;
}

std::vector<float> QueryModel::vector(const QueryWord& w) const {
  if (w.oov()) return w.composed;
  const auto v = emb->vector(*w.id);
  return {v.begin(), v.end()};
}

std::vector<float> QueryModel::query_vector(std::span<const QueryWord> positive,
                                            std::span<const QueryWord> negative,
                                            std::vector<std::uint32_t>& exclude) const {
  std::vector<float> q(emb->dim(), 0.0f);
  const auto add = [&](std::span<const QueryWord> ws, float sign) {
    for (const QueryWord& w : ws) {
      if (w.id) exclude.push_back(*w.id);
      add_unit_vector(w.oov() ? std::span<const float>(w.composed) : emb->vector(*w.id), sign, q);
    }
  };
  add(positive, 1.0f);
  add(negative, -1.0f);
  return q;
}

float QueryModel::similarity(const QueryWord& a, const QueryWord& b) const {
  if (!a.oov() && !b.oov()) return emb->similarity(*a.id, *b.id);
  std::vector<std::uint32_t> unused;
  const std::vector<float> ua = query_vector(std::span(&a, 1), {}, unused);
  const std::vector<float> ub = query_vector(std::span(&b, 1), {}, unused);
  double dot = 0;
  for (std::size_t i = 0; i < ua.size(); ++i) dot += static_cast<double>(ua[i]) * ub[i];
  return static_cast<float>(dot);
}

std::vector<Neighbor> QueryModel::analogy(const QueryWord& a, const QueryWord& b,
                                          const QueryWord& c, std::size_t k,
                                          AnalogyMethod method) const {
  if (!a.oov() && !b.oov() && !c.oov()) return emb->analogy(*a.id, *b.id, *c.id, k, method);
  std::vector<std::uint32_t> exclude;
  for (const QueryWord* w : {&a, &b, &c}) {
    if (w->id) exclude.push_back(*w->id);
  }
  const auto span_of = [&](const QueryWord& w) {
    return w.oov() ? std::span<const float>(w.composed) : emb->vector(*w.id);
  };
  return emb->analogy(span_of(a), span_of(b), span_of(c), exclude, k, method);
}

std::vector<proto::ScoredWord> QueryModel::results(const std::vector<Neighbor>& ns) const {
  std::vector<proto::ScoredWord> out;
  out.reserve(ns.size());
  for (const Neighbor& n : ns) out.push_back({std::string(emb->word(n.id)), n.score});
  return out;
}

bool any_outside(const Embeddings& emb, std::span<const std::string> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](const std::string& w) { return !emb.find(w).has_value(); });
}

bool any_oov(std::span<const QueryWord> words) {
  return std::any_of(words.begin(), words.end(), [](const QueryWord& w) { return w.oov(); });
}

}  // namespace w2v::server
