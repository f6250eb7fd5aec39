#pragma once
// The typed w2vd API (docs/api.md, proto/openapi.yaml) over HttpClient: one method per endpoint,
// records parsed into proto's types. Used by w2vctl and the end-to-end tests.
//
// Errors: a response that is not 2xx throws proto::ApiError with the status and the server's
// {"error": {"code", "message"}} (code "http_<status>" and the raw body as the message when the
// body is not that shape); a 2xx response that is not what the API promises throws ApiError 502
// "invalid_response"; ConnectionError (the server unreachable, the connection broken, a
// timeout) passes through; local files that cannot be read or written throw
// std::runtime_error.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/http_client.h"
#include "proto/api_error.h"
#include "proto/records.h"
#include "proto/requests.h"

namespace w2v::client {

// (word, score) pairs, best first.
using ScoredWords = std::vector<std::pair<std::string, float>>;

using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// How upload_corpus_stream sends what it reads: as it is (plain text), gzip-compressed on the
// fly, or as it is but marked Content-Encoding: gzip (the bytes are gzip data already).
enum class StreamEncoding { kPlain, kCompress, kGzipData };

class W2vdClient {
 public:
  explicit W2vdClient(ClientOptions options);

  // GET /healthz: {"status": "ok", "isa": the kernels' instruction set}.
  nlohmann::json health();

  // Corpora. name "" lets the server name it (after its id).
  proto::CorpusRecord upload_corpus(const std::string& path, const std::string& name = "",
                                    bool gzip = false, const ProgressFn& progress = {});
  // Like upload_corpus, from a source of unknown size (standard input, a pipe), read to its end
  // and sent chunked; progress(bytes_read, 0).
  proto::CorpusRecord upload_corpus_stream(const BodyReader& read, const std::string& name = "",
                                           StreamEncoding encoding = StreamEncoding::kPlain,
                                           const ProgressFn& progress = {});
  std::vector<proto::CorpusRecord> corpora();
  proto::CorpusRecord corpus(const std::string& id);
  void delete_corpus(const std::string& id);

  // Jobs. The request's parameters are those it sets; the server settles the rest (and checks
  // them all, naming the field it refuses).
  proto::JobRecord submit_job(const proto::CreateJobRequest& request);
  std::vector<proto::JobRecord> jobs();
  proto::JobRecord job(const std::string& id);
  proto::JobRecord cancel_job(const std::string& id);
  // Follows GET /v1/jobs/{id}/events: on_update gets every progress record and the final one;
  // returns the final record (terminal status), or, when on_update returns false, the last
  // record seen. Should the stream end early (server restarting), the job is fetched and the
  // stream reopened; an "error" event (e.g. the job vanished) throws ApiError.
  proto::JobRecord watch_job(const std::string& id,
                             const std::function<bool(const proto::JobRecord&)>& on_update = {});

  // Models.
  std::vector<proto::ModelRecord> models();
  proto::ModelRecord model(const std::string& id);
  void delete_model(const std::string& id);
  // Changes a model's name and/or default search ("exact" | "approximate").
  proto::ModelRecord update_model(const std::string& id, const proto::ModelPatch& patch);
  // Saves the model as format ("binary" | "text": word2vec's; "fasttext": a .bin) to path (written
  // to path + ".part" and renamed when complete).
  void export_model(const std::string& id, const std::string& format, const std::string& path);
  // Streams the vectors in word2vec's format to sink(data, n) as they arrive (e.g. to standard
  // output); sink may throw to stop.
  void export_model_to(const std::string& id, const std::string& format,
                       const std::function<void(const char* data, std::size_t n)>& sink);
  // Imports a model file ("binary" | "text" | "fasttext"). name "" : the server names it.
  proto::ModelRecord import_model(const std::string& path, const std::string& name = "",
                                  const std::string& format = "binary",
                                  const ProgressFn& progress = {});

  // Queries. oov, when given, receives whether a query word was outside the model's vocabulary,
  // its vector composed from its character n-grams (a model trained with subwords).
  std::vector<float> vector(const std::string& model, const std::string& word, bool* oov = nullptr);
  // The vectors of many words (POST /batch/vectors, 1000 words a request), in order; unset for
  // a word the model lacks. oov, when given, receives per word whether it was outside the
  // vocabulary and composed from its character n-grams.
  std::vector<std::optional<std::vector<float>>> vectors(const std::string& model,
                                                         const std::vector<std::string>& words,
                                                         std::vector<bool>* oov = nullptr);
  // exact unset: the model's own "search" setting decides. search, when given, receives the
  // search the server used ("exact" | "approximate"); index, the model's index as the answer
  // shows it when the approximate search was asked for but its index was not ready (state none
  // otherwise).
  ScoredWords similar(const std::string& model, const std::vector<std::string>& positive,
                      const std::vector<std::string>& negative = {}, std::size_t k = 10,
                      std::optional<bool> exact = std::nullopt, std::string* search = nullptr,
                      bool* oov = nullptr, proto::IndexStatus* index = nullptr);
  double similarity(const std::string& model, const std::string& a, const std::string& b,
                    bool* oov = nullptr);
  // a is to b as c is to ?, by the request's method (3CosAdd or 3CosMul).
  ScoredWords analogy(const std::string& model, const proto::AnalogyRequest& request,
                      bool* oov = nullptr);
  // POSTs the file (questions-words analogies or "word word score" pairs); kind "auto",
  // "analogies" or "pairs". Returns the server's scores.
  nlohmann::json evaluate(const std::string& model, const std::string& path,
                          const std::string& kind = "auto");

  HttpClient& http() noexcept { return http_; }

  // The ApiError for a non-2xx response (exposed for w2vctl and the tests).
  static proto::ApiError error_from(const HttpResponse& r);
  static proto::ApiError error_from(int status, const std::string& body);

 private:
  // Sends a request; throws error_from() unless 2xx; returns the parsed JSON body (null for
  // an empty body).
  nlohmann::json call(const std::string& method, const std::string& target,
                      const nlohmann::json* body = nullptr);
  nlohmann::json checked_json(const HttpResponse& r, const std::string& what);

  HttpClient http_;
};

}  // namespace w2v::client
