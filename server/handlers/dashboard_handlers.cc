// The dashboard: its static files (compiled in, served without a token) and the API calls only
// it needed: a job's progress history, word completion and a 2-D map of a model's words.

#include <charconv>
#include <utility>

#include "core/search/word_map.h"
#include "proto/answers.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "server/handlers/blocking_work.h"
#include "server/handlers/embedded_ui.h"
#include "server/handlers/routes.h"

namespace w2v::server {

using proto::ApiError;

namespace {

constexpr std::size_t kMaxPrefixBytes = 200;
constexpr long kMaxCompletions = 100;
constexpr long kMaxMapWords = 5000;
// A map holds its words' unit vectors in memory (4 bytes each): at most 16 MB per request.
constexpr long kMaxMapValues = 4'000'000;

// The integer query parameter name in [min, max], fallback when absent; 400 otherwise.
long bounded_query(const Request& req, const std::string& name, long fallback, long min, long max) {
  const auto v = req.query_param(name);
  if (!v) return fallback;
  long n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    throw ApiError::bad_request(name + " must be an integer in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got '" + proto::json_string(*v) + "'");
  }
  return n;
}

std::shared_ptr<const Embeddings> model_or_404(AppContext& app, const std::string& id) {
  if (auto emb = app.models.loaded(id)) return emb;
  app.model_service.get(id);  // 404 when there is none
  return app.models.get(id);
}

Response ui_file(std::string_view name) {
  for (const EmbeddedUiFile& f : embedded_ui_files()) {
    if (name != f.name) continue;
    Response r = Response::text(200, std::string(f.bytes), std::string(f.content_type));
    // Always revalidated, so a new w2vd's dashboard replaces the old one at the next load.
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                           "form-action 'self'; base-uri 'none'");
    return r;
  }
  throw ApiError::not_found("no dashboard file " + proto::json_string(name));
}

}  // namespace

void add_dashboard_routes(Router& router, AppContext& app) {
  router.add("GET", "/", [](Request&) {
    Response r = Response::text(302, "The dashboard is at /ui/\n");
    r.headers.emplace_back("Location", "/ui/");
    return r;
  });
  router.add("GET", "/ui/", [](Request&) { return ui_file("index.html"); });
  router.add("GET", "/ui/{file}", [](Request& req) { return ui_file(req.param("file")); });

  router.add("GET", "/v1/jobs/{id}/history", [&app](Request& req) {
    auto history = app.jobs.history(req.param("id"));
    if (!history) throw proto::not_found_error(proto::Resource::kJob, req.param("id"));
    return Response::json(
        200, proto::dump(proto::job_history_to_json(std::move(*history), req.param("id"))));
  });

  // Completion: the most frequent words starting with prefix, in frequency order.
  router.add("GET", "/v1/models/{id}/words", [&app](Request& req) {
    const std::string prefix = req.query_param("prefix").value_or("");
    if (prefix.size() > kMaxPrefixBytes) {
      throw ApiError::bad_request("prefix must be at most " + std::to_string(kMaxPrefixBytes) +
                                  " bytes");
    }
    const auto limit =
        static_cast<std::size_t>(bounded_query(req, "limit", 10, 1, kMaxCompletions));
    // A first query loads the model, and the scan is as long as the vocabulary: the pool's work.
    return on_blocking_pool(app, req, [&app, prefix, limit](const Request& r) {
      const auto emb = model_or_404(app, r.param("id"));
      proto::CompletionsAnswer answer;
      for (std::uint32_t i = 0; i < emb->size(); ++i) {
        if (!emb->word(i).starts_with(prefix)) continue;
        if (answer.words.size() == limit) {
          answer.more = true;
          break;
        }
        answer.words.push_back({std::string(emb->word(i)), std::uint64_t{i} + 1});
      }
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });

  // The n most frequent words projected on their first two principal components.
  router.add("GET", "/v1/models/{id}/map", [&app](Request& req) {
    // The projection (and a first query's model load) runs on the blocking pool; n is checked
    // against the model's dimension there, once the model is at hand.
    return on_blocking_pool(app, req, [&app](const Request& r) {
      const auto emb = model_or_404(app, r.param("id"));
      const long dim = static_cast<long>(std::max<std::size_t>(1, emb->dim()));
      const long max_n = std::max(2L, std::min(kMaxMapWords, kMaxMapValues / dim));
      const long n = bounded_query(r, "n", std::min(1000L, max_n), 2, max_n);
      const WordMap map = pca_word_map(*emb, static_cast<std::size_t>(n));
      proto::WordMapAnswer answer;
      for (std::uint32_t i = 0; i < map.words; ++i) answer.words.emplace_back(emb->word(i));
      answer.x = map.x;
      answer.y = map.y;
      answer.explained_x = map.explained_x;
      answer.explained_y = map.explained_y;
      answer.max_n = max_n;
      return Response::json(200, proto::dump(proto::to_json(answer)));
    });
  });
}

}  // namespace w2v::server
