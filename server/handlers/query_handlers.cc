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
#include "server/handlers/query_model.h"
#include "server/handlers/routes.h"

namespace w2v::server {

using proto::ApiError;

namespace {

using Model = QueryModel;

using Answer = std::function<Response(const Request&, const Model&)>;

// Answers with the model on the blocking pool, loading it first if need be: for answers that
// are too much work for an I/O thread however the model is held (the batch queries). words are
// those the answer looks up: when one is outside the vocabulary, the model's composer of such
// words comes with it (core/train/oov_composer.h; read on first use, so on the pool).
Response with_model_on_pool(AppContext& app, Request& req, Answer answer,
                            std::vector<std::string> words = {}) {
  return on_blocking_pool(
      app, req, [&app, answer = std::move(answer), words = std::move(words)](const Request& r) {
        const std::string& model_id = r.param("id");
        auto emb = app.models.get(model_id);
        if (!emb) throw proto::not_found_error(proto::Resource::kModel, model_id);
        auto oov = any_outside(*emb, words) ? app.models.subwords(model_id) : nullptr;
        return answer(r, Model{model_id, std::move(emb), std::move(oov)});
      });
}

// Answers with the model: at once, on this thread, when it is loaded (with its composer of
// out-of-vocabulary words when words has one) without touching the store (deleting a model
// evicts it); otherwise on the blocking pool, after loading (the cache asks the store whether
// the model exists).
Response with_model(AppContext& app, Request& req, Answer answer,
                    std::vector<std::string> words = {}) {
  const std::string& id = req.param("id");
  if (auto emb = app.models.loaded(id)) {
    if (!any_outside(*emb, words)) return answer(req, Model{id, std::move(emb), nullptr});
    if (auto oov = app.models.loaded_subwords(id)) {
      return answer(req, Model{id, std::move(emb), std::move(*oov)});
    }
  }
  return with_model_on_pool(app, req, std::move(answer), std::move(words));
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

// gensim's most_similar, exact or through the model's HNSW index (index: the model's when it is
// ready and the approximate search was asked for), the query words in the vocabulary excluded.
std::vector<Neighbor> neighbours(const Model& m, const HnswIndex* index,
                                 const std::vector<QueryWord>& pos,
                                 const std::vector<QueryWord>& neg, std::size_t k,
                                 std::size_t restrict) {
  if (!any_oov(pos) && !any_oov(neg)) {
    const auto rows = [](const std::vector<QueryWord>& ws) {
      std::vector<std::uint32_t> ids;
      ids.reserve(ws.size());
      for (const QueryWord& w : ws) ids.push_back(*w.id);
      return ids;
    };
    const std::vector<std::uint32_t> p = rows(pos), n = rows(neg);
    if (!index) return m.emb->most_similar(p, n, k, restrict);
    std::vector<std::uint32_t> exclude(p);
    exclude.insert(exclude.end(), n.begin(), n.end());
    return index->search(m.emb->query_vector(p, n), k, exclude);
  }
  std::vector<std::uint32_t> exclude;
  const std::vector<float> q = m.query_vector(pos, neg, exclude);
  return index ? index->search(q, k, exclude) : m.emb->nearest(q, k, exclude, restrict);
}

// most_similar's answer, naming the search used (exact while the index is not ready).
Response similar(AppContext& app, const Model& m, const std::vector<QueryWord>& pos,
                 const std::vector<QueryWord>& neg, std::size_t k, bool use_exact,
                 std::size_t restrict) {
  proto::NeighborsAnswer answer;
  const auto index = use_exact ? nullptr : ready_index(app, m.id, answer.index);
  answer.results = m.results(neighbours(m, index.get(), pos, neg, k, restrict));
  answer.search = index ? proto::SearchMode::kApproximate : proto::SearchMode::kExact;
  answer.oov = any_oov(pos) || any_oov(neg);
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
    return with_model(app, req,
                      [](const Request& r, const Model& m) {
                        const QueryWord w = m.word(r.param("word"));
                        const proto::WordVectorAnswer answer{r.param("word"), m.vector(w), w.oov()};
                        return Response::json(200, proto::dump(proto::to_json(answer)));
                      },
                      {req.param("word")});
  });

  router.add("GET", "/v1/models/{id}/similar", [&app](Request& req) {
    const std::size_t k = proto::parse_k(req.query_param("k").value_or("10"));
    const std::string word = required_word(req, "word");
    const std::size_t restrict = optional_restrict(req, 0);
    const bool use_exact = uses_exact(app, req.param("id"), parse_exact(req), restrict);
    return with_model(app, req,
                      [&app, k, word, restrict, use_exact](const Request&, const Model& m) {
                        return similar(app, m, {m.word(word)}, {}, k, use_exact, restrict);
                      },
                      {word});
  });

  router.add_json("POST", "/v1/models/{id}/similar", [&app](Request& req) {
    auto q = std::make_shared<const proto::SimilarRequest>(
        proto::parse_similar(proto::parse_json_body(req.body)));
    const bool use_exact = uses_exact(app, req.param("id"), q->exact, 0);
    std::vector<std::string> words(q->positive);
    words.insert(words.end(), q->negative.begin(), q->negative.end());
    return with_model(
        app, req,
        [&app, q, use_exact](const Request&, const Model& m) {
          return similar(app, m, m.words(q->positive), m.words(q->negative), q->k, use_exact, 0);
        },
        std::move(words));
  });

  // Batches: one answer per requested word, in order, unknown words answered as such (words
  // outside the vocabulary of a subword model answered from their n-grams). On the blocking
  // pool: a thousand searches are too long for an I/O thread.
  router.add_json("POST", "/v1/models/{id}/batch/vectors", [&app](Request& req) {
    auto q = std::make_shared<const proto::BatchRequest>(
        proto::parse_batch_vectors(proto::parse_json_body(req.body)));
    return with_model_on_pool(
        app, req,
        [q](const Request&, const Model& m) {
          proto::BatchVectorsAnswer answer;
          answer.results.reserve(q->words.size());
          for (const std::string& w : q->words) {
            auto& item = answer.results.emplace_back();
            item.word = w;
            if (const auto found = m.find(w)) {
              item.found = m.vector(*found);
              item.oov = found->oov();
            }
          }
          return Response::json(200, proto::dump(proto::to_json(answer)));
        },
        q->words);
  });

  router.add_json("POST", "/v1/models/{id}/batch/similar", [&app](Request& req) {
    auto q = std::make_shared<const proto::BatchRequest>(
        proto::parse_batch_similar(proto::parse_json_body(req.body)));
    const bool use_exact = uses_exact(app, req.param("id"), q->exact, 0);
    return with_model_on_pool(
        app, req,
        [&app, q, use_exact](const Request&, const Model& m) {
          proto::BatchNeighborsAnswer answer;
          const auto index = use_exact ? nullptr : ready_index(app, m.id, answer.index);
          answer.search = index ? proto::SearchMode::kApproximate : proto::SearchMode::kExact;
          answer.results.reserve(q->words.size());
          for (const std::string& w : q->words) {
            auto& item = answer.results.emplace_back();
            item.word = w;
            auto found = m.find(w);
            if (!found) continue;
            item.oov = found->oov();
            const std::vector<QueryWord> pos{std::move(*found)};
            item.found = m.results(neighbours(m, index.get(), pos, {}, q->k, 0));
          }
          return Response::json(200, proto::dump(proto::to_json(answer)));
        },
        q->words);
  });

  router.add("GET", "/v1/models/{id}/similarity", [&app](Request& req) {
    const std::string a = required_word(req, "a"), b = required_word(req, "b");
    return with_model(
        app, req,
        [a, b](const Request&, const Model& m) {
          const QueryWord wa = m.word(a), wb = m.word(b);
          const proto::SimilarityAnswer answer{m.similarity(wa, wb), wa.oov() || wb.oov()};
          return Response::json(200, proto::dump(proto::to_json(answer)));
        },
        {a, b});
  });

  router.add_json("POST", "/v1/models/{id}/analogy", [&app](Request& req) {
    const auto q = proto::parse_analogy(proto::parse_json_body(req.body));
    return with_model(app, req,
                      [q](const Request&, const Model& m) {
                        const QueryWord a = m.word(q.a), b = m.word(q.b), c = m.word(q.c);
                        proto::NeighborsAnswer answer;
                        answer.results = m.results(m.analogy(a, b, c, q.k, q.method));
                        answer.oov = a.oov() || b.oov() || c.oov();
                        return Response::json(200, proto::dump(proto::to_json(answer)));
                      },
                      {q.a, q.b, q.c});
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
