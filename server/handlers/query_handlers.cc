// Queries on a model's vectors: thin wrappers over core/search/embeddings.h and
// core/search/evaluation.h.

#include <functional>
#include <memory>
#include <sstream>

#include "core/search/evaluation.h"
#include "proto/answers.h"
#include "proto/api_error.h"
#include "proto/evaluation_json.h"
#include "proto/json_text.h"
#include "proto/records.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"
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
    ids.reserve(ws.size());
    for (const auto& w : ws) ids.push_back(word(w));
    return ids;
  }
  std::vector<proto::ScoredWord> results(const std::vector<Neighbor>& ns) const {
    std::vector<proto::ScoredWord> out;
    out.reserve(ns.size());
    for (const Neighbor& n : ns) out.push_back({std::string(emb->word(n.id)), n.score});
    return out;
  }
};

using Answer = std::function<Response(const Request&, const Model&)>;

// Answers with the model on the blocking pool, loading it first if need be: for answers that
// are too much work for an I/O thread however the model is held (the batch queries).
Response with_model_on_pool(AppContext& app, Request& req, Answer answer) {
  return on_blocking_pool(app, req, [&app, answer = std::move(answer)](const Request& r) {
    const std::string& model_id = r.param("id");
    auto emb = app.models.get(model_id);
    if (!emb) throw proto::not_found_error(proto::Resource::kModel, model_id);
    return answer(r, Model{model_id, std::move(emb)});
  });
}

// Answers with the model: at once, on this thread, when it is loaded, without touching the
// store (deleting a model evicts it); otherwise on the blocking pool, after loading (the cache
// asks the store whether the model exists).
Response with_model(AppContext& app, Request& req, Answer answer) {
  const std::string& id = req.param("id");
  if (auto emb = app.models.loaded(id)) return answer(req, Model{id, std::move(emb)});
  return with_model_on_pool(app, req, std::move(answer));
}

// A word from the query string: required, and within proto::check_word's bounds.
std::string required_word(const Request& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) throw ApiError::bad_request("query parameter " + name + " is required");
  proto::check_word(name, *v);
  return *v;
}

std::size_t optional_restrict(const Request& req, std::size_t fallback) {
  const auto v = req.query_param("restrict");
  return v ? proto::parse_restrict(*v) : fallback;
}

std::optional<bool> parse_exact(const Request& req) {
  const auto v = req.query_param("exact");
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw ApiError::bad_request("exact must be true or false, got '" + proto::json_string(*v) + "'");
}

// Whether /similar searches exactly: as the request says, else exact when it restricts the
// search, else as the model's "search" setting says.
bool uses_exact(AppContext& app, const std::string& model_id, std::optional<bool> exact,
                std::size_t restrict) {
  const bool use_exact =
      exact.value_or(restrict != 0 || !app.settings.approximate_by_default(model_id));
  if (restrict != 0 && !use_exact) {
    throw ApiError::bad_request("restrict works only with exact=true");
  }
  return use_exact;
}

// The model's HNSW index when it is ready in the cache. Otherwise null, never waiting: the index
// is asked for (loaded or built in the background, server/models/index_builder.h) and status
// says how far it is, for the answer the exact search gives meanwhile.
std::shared_ptr<const HnswIndex> ready_index(AppContext& app, const std::string& model_id,
                                             std::optional<proto::IndexStatus>& status) {
  if (auto index = app.models.loaded_index(model_id)) return index;
  app.indexes.request(model_id);
  status = app.indexes.status(model_id);
  return nullptr;
}

// gensim's most_similar, exact or through the model's HNSW index (exact while the index is not
// ready). The answer names the search used.
Response similar(AppContext& app, const Model& m, const std::vector<std::uint32_t>& pos,
                 const std::vector<std::uint32_t>& neg, std::size_t k, bool use_exact,
                 std::size_t restrict) {
  proto::NeighborsAnswer answer;
  const auto index = use_exact ? nullptr : ready_index(app, m.id, answer.index);
  std::vector<Neighbor> r;
  if (index) {
    std::vector<std::uint32_t> exclude(pos);
    exclude.insert(exclude.end(), neg.begin(), neg.end());
    r = index->search(m.emb->query_vector(pos, neg), k, exclude);
  } else {
    r = m.emb->most_similar(pos, neg, k, restrict);
  }
  answer.results = m.results(r);
  answer.search = index ? proto::SearchMode::kApproximate : proto::SearchMode::kExact;
  return Response::json(200, proto::dump(proto::to_json(answer)));
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
    proto::check_word("word", req.param("word"));
    return with_model(app, req, [](const Request& r, const Model& m) {
      const std::uint32_t w = m.word(r.param("word"));
      const auto v = m.emb->vector(w);
      const proto::WordVectorAnswer answer{std::string(m.emb->word(w)),
                                           std::vector<float>(v.begin(), v.end())};
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });

  router.add("GET", "/v1/models/{id}/similar", [&app](Request& req) {
    const std::size_t k = proto::parse_k(req.query_param("k").value_or("10"));
    const std::string word = required_word(req, "word");
    const std::size_t restrict = optional_restrict(req, 0);
    const bool use_exact = uses_exact(app, req.param("id"), parse_exact(req), restrict);
    return with_model(app, req,
                      [&app, k, word, restrict, use_exact](const Request&, const Model& m) {
                        return similar(app, m, {m.word(word)}, {}, k, use_exact, restrict);
                      });
  });

  router.add_json("POST", "/v1/models/{id}/similar", [&app](Request& req) {
    auto q = std::make_shared<const proto::SimilarRequest>(
        proto::parse_similar(proto::parse_json_body(req.body)));
    const bool use_exact = uses_exact(app, req.param("id"), q->exact, 0);
    return with_model(app, req, [&app, q, use_exact](const Request&, const Model& m) {
      return similar(app, m, m.words(q->positive), m.words(q->negative), q->k, use_exact, 0);
    });
  });

  // Batches: one answer per requested word, in order, unknown words answered as such. On the
  // blocking pool: a thousand searches are too long for an I/O thread.
  router.add_json("POST", "/v1/models/{id}/batch/vectors", [&app](Request& req) {
    auto q = std::make_shared<const proto::BatchRequest>(
        proto::parse_batch_vectors(proto::parse_json_body(req.body)));
    return with_model_on_pool(app, req, [q](const Request&, const Model& m) {
      proto::BatchVectorsAnswer answer;
      answer.results.reserve(q->words.size());
      for (const std::string& w : q->words) {
        auto& item = answer.results.emplace_back();
        item.word = w;
        if (const auto id = m.emb->find(w)) {
          const auto v = m.emb->vector(*id);
          item.found.emplace(v.begin(), v.end());
        }
      }
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });

  router.add_json("POST", "/v1/models/{id}/batch/similar", [&app](Request& req) {
    auto q = std::make_shared<const proto::BatchRequest>(
        proto::parse_batch_similar(proto::parse_json_body(req.body)));
    const bool use_exact = uses_exact(app, req.param("id"), q->exact, 0);
    return with_model_on_pool(app, req, [&app, q, use_exact](const Request&, const Model& m) {
      proto::BatchNeighborsAnswer answer;
      const auto index = use_exact ? nullptr : ready_index(app, m.id, answer.index);
      answer.search = index ? proto::SearchMode::kApproximate : proto::SearchMode::kExact;
      answer.results.reserve(q->words.size());
      for (const std::string& w : q->words) {
        auto& item = answer.results.emplace_back();
        item.word = w;
        const auto id = m.emb->find(w);
        if (!id) continue;
        const std::vector<std::uint32_t> pos{*id};
        const auto found = index ? index->search(m.emb->query_vector(pos, {}), q->k, pos)
                                 : m.emb->most_similar(pos, {}, q->k, 0);
        item.found = m.results(found);
      }
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });

  router.add("GET", "/v1/models/{id}/similarity", [&app](Request& req) {
    const std::string a = required_word(req, "a"), b = required_word(req, "b");
    return with_model(app, req, [a, b](const Request&, const Model& m) {
      const proto::SimilarityAnswer answer{m.emb->similarity(m.word(a), m.word(b))};
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });

  router.add_json("POST", "/v1/models/{id}/analogy", [&app](Request& req) {
    const auto q = proto::parse_analogy(proto::parse_json_body(req.body));
    return with_model(app, req, [q](const Request&, const Model& m) {
      const auto r = m.emb->analogy(m.word(q.a), m.word(q.b), m.word(q.c), q.k, q.method);
      return Response::json(200, proto::dump(proto::to_json(proto::NeighborsAnswer{
                                     m.results(r), std::nullopt, std::nullopt})));
    });
  });

  // Always on the blocking pool: a large evaluation file is minutes of work.
  router.add_document("POST", "/v1/models/{id}/evaluate", [&app](Request& req) {
    const std::string kind = req.query_param("kind").value_or("auto");
    if (kind != "auto" && kind != "analogies" && kind != "pairs") {
      throw ApiError::bad_request("kind must be analogies, pairs or auto, got " +
                                  proto::json_string(kind));
    }
    const std::size_t restrict = optional_restrict(req, AnalogyOptions{}.restrict_vocab);
    return on_blocking_pool(app, req, [&app, kind, restrict](const Request& r) {
      auto emb = app.models.get(r.param("id"));
      if (!emb) throw proto::not_found_error(proto::Resource::kModel, r.param("id"));
      const std::string detected = kind == "auto" ? detect_kind(r.body) : kind;
      std::istringstream in(r.body);
      try {
        if (detected == "analogies") {
          AnalogyOptions options;
          options.restrict_vocab = restrict;
          return Response::json(200,
                                proto::dump(proto::to_json(evaluate_analogies(*emb, in, options))));
        }
        return Response::json(200, proto::dump(proto::to_json(evaluate_pairs(*emb, in))));
      } catch (const EvaluationFormatError& e) {
        throw ApiError::bad_request(e.what(), "invalid_evaluation_file");
      }
    });
  });
}

}  // namespace w2v::server
