// Queries on a model's vectors: thin wrappers over core/embeddings.h and core/evaluation.h.

#include <charconv>
#include <sstream>

#include "core/evaluation.h"
#include "proto/api_error.h"
#include "proto/evaluation_json.h"
#include "proto/json_text.h"
#include "proto/records.h"
#include "proto/requests.h"
#include "server/handlers/routes.h"

namespace w2v::server {

using proto::ApiError;

namespace {

struct Model {
  std::string id;
  std::shared_ptr<const Embeddings> emb;

  std::uint32_t word(const std::string& w) const {
    const auto id_ = emb->find(w);
    if (!id_) {
      throw ApiError::not_found("word '" + proto::json_string(w) + "' is not in model " + id,
                                "word_not_found");
    }
    return *id_;
  }
  std::vector<std::uint32_t> words(const std::vector<std::string>& ws) const {
    std::vector<std::uint32_t> ids;
    for (const auto& w : ws) ids.push_back(word(w));
    return ids;
  }
  nlohmann::json results(const std::vector<Neighbor>& ns) const {
    nlohmann::json out = nlohmann::json::array();
    for (const Neighbor& n : ns) {
      out.push_back({{"word", proto::json_string(emb->word(n.id))}, {"score", n.score}});
    }
    return out;
  }
};

// A loaded model answers without touching the store (deleting a model evicts it); only
// a cache miss checks that the model exists before loading it.
Model load(AppContext& app, const std::string& id) {
  if (auto emb = app.models.loaded(id)) return Model{id, std::move(emb)};
  if (!app.store.model(id)) throw ApiError::not_found("no model " + id, "model_not_found");
  return Model{id, app.models.get(id)};
}

std::string required_query(const Request& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) throw ApiError::bad_request("query parameter " + name + " is required");
  return *v;
}

std::size_t optional_restrict(const Request& req, std::size_t fallback) {
  const auto v = req.query_param("restrict");
  if (!v) return fallback;
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) {
    throw ApiError::bad_request("restrict must be a non-negative integer, got '" + *v + "'");
  }
  return n;
}

std::optional<bool> parse_exact(const Request& req) {
  const auto v = req.query_param("exact");
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw ApiError::bad_request("exact must be true or false, got '" + proto::json_string(*v) + "'");
}

// gensim's most_similar, exact or through the model's HNSW index: as the request says, else
// exact when it restricts the search, else as the model's "search" setting says. The answer
// names the search used.
nlohmann::json similar(AppContext& app, const Model& m, const std::vector<std::uint32_t>& pos,
                       const std::vector<std::uint32_t>& neg, std::size_t k,
                       std::optional<bool> exact, std::size_t restrict) {
  const bool use_exact =
      exact.value_or(restrict != 0 || !app.settings.approximate_by_default(m.id));
  std::vector<Neighbor> r;
  if (use_exact) {
    r = m.emb->most_similar(pos, neg, k, restrict);
  } else {
    if (restrict != 0) throw ApiError::bad_request("restrict works only with exact=true");
    std::vector<std::uint32_t> exclude(pos);
    exclude.insert(exclude.end(), neg.begin(), neg.end());
    r = app.models.index(m.id)->search(m.emb->query_vector(pos, neg), k, exclude);
  }
  return {{"results", m.results(r)},
          {"search", name_of(proto::kSearchNames, use_exact ? proto::SearchMode::kExact
                                                            : proto::SearchMode::kApproximate)}};
}

// "analogies" when the text looks like questions-words (": section" lines or 4 words per
// line), "pairs" when it has lines of "word word score".
std::string detect_kind(const std::string& body) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> w;
    for (std::string f; fields >> f;) w.push_back(f);
    if (w.empty() || w[0][0] == '#') continue;
    if (w[0][0] == ':' || w.size() == 4) return "analogies";
    return "pairs";
  }
  throw ApiError::bad_request("the evaluation file is empty");
}

}  // namespace

void add_query_routes(Router& router, AppContext& app) {
  router.add("GET", "/v1/models/{id}/words/{word}", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    const std::uint32_t w = m.word(req.param("word"));
    const auto v = m.emb->vector(w);
    return Response::json(200, proto::dump({{"word", proto::json_string(m.emb->word(w))},
                                            {"vector", std::vector<float>(v.begin(), v.end())}}));
  });

  router.add("GET", "/v1/models/{id}/similar", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    const std::size_t k = proto::parse_k(req.query_param("k").value_or("10"));
    const std::vector<std::uint32_t> pos = {m.word(required_query(req, "word"))};
    return Response::json(
        200, proto::dump(similar(app, m, pos, {}, k, parse_exact(req), optional_restrict(req, 0))));
  });

  router.add("POST", "/v1/models/{id}/similar", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    const auto q = proto::parse_similar(proto::parse_json_body(req.body));
    return Response::json(200, proto::dump(similar(app, m, m.words(q.positive), m.words(q.negative),
                                                   q.k, q.exact, 0)));
  });

  router.add("GET", "/v1/models/{id}/similarity", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    const std::uint32_t a = m.word(required_query(req, "a")), b = m.word(required_query(req, "b"));
    return Response::json(200, proto::dump({{"similarity", m.emb->similarity(a, b)}}));
  });

  router.add("POST", "/v1/models/{id}/analogy", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    const auto q = proto::parse_analogy(proto::parse_json_body(req.body));
    const auto r = m.emb->analogy(m.word(q.a), m.word(q.b), m.word(q.c), q.k, q.method);
    return Response::json(200, proto::dump({{"results", m.results(r)}}));
  });

  router.add("POST", "/v1/models/{id}/evaluate", [&app](Request& req) {
    const Model m = load(app, req.param("id"));
    std::string kind = req.query_param("kind").value_or("auto");
    if (kind == "auto") kind = detect_kind(req.body);
    std::istringstream in(req.body);
    try {
      if (kind == "analogies") {
        AnalogyOptions options;
        options.restrict_vocab = optional_restrict(req, options.restrict_vocab);
        return Response::json(200,
                              proto::dump(proto::to_json(evaluate_analogies(*m.emb, in, options))));
      }
      if (kind == "pairs") {
        return Response::json(200, proto::dump(proto::to_json(evaluate_pairs(*m.emb, in))));
      }
    } catch (const EvaluationFormatError& e) {
      throw ApiError::bad_request(e.what(), "invalid_evaluation_file");
    }
    throw ApiError::bad_request("kind must be analogies, pairs or auto, got " + kind);
  });
}

}  // namespace w2v::server
