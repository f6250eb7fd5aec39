#include "client/api_client.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "proto/json_text.h"

namespace w2v::client {

using nlohmann::json;
using proto::ApiError;

namespace {

bool is_2xx(int status) {
  return status >= 200 && status <= 299;
}

// A 2xx response that is not what the API promises.
ApiError invalid_response(const std::string& what, const std::string& why) {
  return ApiError(502, "invalid_response", "unexpected response to " + what + ": " + why);
}

// Runs a record parser (proto's *_from_json throw ApiError 400 naming the field), turning its
// errors into invalid_response: a malformed record is the server's fault, not the caller's.
template <class F>
auto parse_record(const std::string& what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ApiError& e) {
    throw invalid_response(what, e.what());
  } catch (const json::exception& e) {
    throw invalid_response(what, e.what());
  }
}

template <class Record, class FromJson>
std::vector<Record> parse_list(const json& j, const char* key, const std::string& what,
                               FromJson&& from_json) {
  return parse_record(what, [&] {
    if (!j.is_object() || !j.contains(key) || !j.at(key).is_array()) {
      throw invalid_response(what, std::string("no \"") + key + "\" array");
    }
    std::vector<Record> out;
    for (const json& item : j.at(key)) out.push_back(from_json(item));
    return out;
  });
}

// An answer's "oov" (false from a server that predates it).
bool parse_oov(const json& j, const std::string& what) {
  return parse_record(what, [&] { return j.is_object() && j.value("oov", false); });
}

ScoredWords parse_results(const json& j, const std::string& what) {
  return parse_record(what, [&] {
    if (!j.is_object() || !j.contains("results") || !j.at("results").is_array()) {
      throw invalid_response(what, "no \"results\" array");
    }
    ScoredWords out;
    for (const json& r : j.at("results")) {
      out.emplace_back(r.at("word").get<std::string>(), r.at("score").get<float>());
    }
    return out;
  });
}

// An "error" event of an event stream: its data is an error body.
ApiError stream_error(const std::string& data, const std::string& what) {
  const ApiError e = W2vdClient::error_from(500, data);
  if (e.code() == "http_500") return invalid_response(what, "error event: " + data);
  // The stream's status was 200; give the error the status it would have had.
  const bool not_found = e.code().find("not_found") != std::string::npos;
  return ApiError(not_found ? 404 : 500, e.code(), e.what());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return text.str();
}

}  // namespace

W2vdClient::W2vdClient(ClientOptions options) : http_(std::move(options)) {}

ApiError W2vdClient::error_from(const HttpResponse& r) {
  return error_from(r.status, r.body);
}

ApiError W2vdClient::error_from(int status, const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    if (e.contains("code") && e["code"].is_string() && e.contains("message") &&
        e["message"].is_string()) {
      return ApiError(status, e["code"].get<std::string>(), e["message"].get<std::string>());
    }
  }
  const std::string code = "http_" + std::to_string(status);
  return ApiError(status, code, body.empty() ? "HTTP status " + std::to_string(status) : body);
}

json W2vdClient::checked_json(const HttpResponse& r, const std::string& what) {
  if (!is_2xx(r.status)) throw error_from(r);
  if (r.body.empty()) return nullptr;
  json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw invalid_response(what, "the body is not JSON");
  return j;
}

json W2vdClient::call(const std::string& method, const std::string& target, const json* body) {
  const HttpResponse r =
      body ? http_.request(method, target, proto::dump(*body)) : http_.request(method, target);
  return checked_json(r, method + " " + target);
}

json W2vdClient::health() {
  return call("GET", "/healthz");
}

// ---- corpora ----

proto::CorpusRecord W2vdClient::upload_corpus(const std::string& path, const std::string& name,
                                              bool gzip, const ProgressFn& progress) {
  std::string target = "/v1/corpora";
  if (!name.empty()) target += "?name=" + url_encode(name);
  const HttpResponse r = http_.upload_file(target, path, "text/plain", gzip, progress);
  const std::string what = "POST " + target;
  const json j = checked_json(r, what);
  return parse_record(what, [&] { return proto::corpus_from_json(j); });
}

proto::CorpusRecord W2vdClient::upload_corpus_stream(const BodyReader& read,
                                                     const std::string& name,
                                                     StreamEncoding encoding,
                                                     const ProgressFn& progress) {
  std::string target = "/v1/corpora";
  if (!name.empty()) target += "?name=" + url_encode(name);
  std::map<std::string, std::string> headers;
  if (encoding == StreamEncoding::kGzipData) headers["Content-Encoding"] = "gzip";
  const HttpResponse r = http_.upload_stream(
      target, read, "text/plain", encoding == StreamEncoding::kCompress, progress, headers);
  const std::string what = "POST " + target;
  const json j = checked_json(r, what);
  return parse_record(what, [&] { return proto::corpus_from_json(j); });
}

std::vector<proto::CorpusRecord> W2vdClient::corpora() {
  const json j = call("GET", "/v1/corpora");
  return parse_list<proto::CorpusRecord>(j, "corpora", "GET /v1/corpora",
                                         [](const json& x) { return proto::corpus_from_json(x); });
}

proto::CorpusRecord W2vdClient::corpus(const std::string& id) {
  const std::string target = "/v1/corpora/" + url_encode(id);
  const json j = call("GET", target);
  return parse_record("GET " + target, [&] { return proto::corpus_from_json(j); });
}

void W2vdClient::delete_corpus(const std::string& id) {
  call("DELETE", "/v1/corpora/" + url_encode(id));
}

// ---- jobs ----

proto::JobRecord W2vdClient::submit_job(const proto::CreateJobRequest& request) {
  const json body = proto::to_json(request);
  const json j = call("POST", "/v1/jobs", &body);
  return parse_record("POST /v1/jobs", [&] { return proto::job_from_json(j); });
}

std::vector<proto::JobRecord> W2vdClient::jobs() {
  const json j = call("GET", "/v1/jobs");
  return parse_list<proto::JobRecord>(j, "jobs", "GET /v1/jobs",
                                      [](const json& x) { return proto::job_from_json(x); });
}

proto::JobRecord W2vdClient::job(const std::string& id) {
  const std::string target = "/v1/jobs/" + url_encode(id);
  const json j = call("GET", target);
  return parse_record("GET " + target, [&] { return proto::job_from_json(j); });
}

proto::JobRecord W2vdClient::cancel_job(const std::string& id) {
  const std::string target = "/v1/jobs/" + url_encode(id) + "/cancel";
  const json j = call("POST", target);
  return parse_record("POST " + target, [&] { return proto::job_from_json(j); });
}

proto::JobRecord W2vdClient::watch_job(
    const std::string& id, const std::function<bool(const proto::JobRecord&)>& on_update) {
  const std::string target = "/v1/jobs/" + url_encode(id) + "/events";
  const std::string what = "GET " + target;
  // Streams that end without an "end" event and without any event at all, in a row, before
  // giving up (the server restarting answers quickly; one that keeps cutting us off does not
  // deserve an endless loop).
  constexpr int kMaxEmptyStreams = 5;
  std::optional<proto::JobRecord> last;
  int empty_streams = 0;
  for (;;) {
    bool ended = false, stopped = false, any = false;
    std::string error_body;
    const int status = http_.stream_events(
        target,
        [&](const std::string& event, const std::string& data) {
          if (event == "error") throw stream_error(data, what);
          if (event != "progress" && event != "end") return true;  // unknown events: skip
          any = true;
          last = parse_record(what, [&] { return proto::job_from_json(json::parse(data)); });
          if (event == "end") ended = true;
          if (on_update && !on_update(*last)) {
            stopped = true;
            return false;
          }
          return !ended;
        },
        &error_body);
    if (!is_2xx(status)) throw error_from(status, error_body);
    if (ended || stopped) return *last;
    // The stream ended early: the job may have finished in between, or the server restarted.
    proto::JobRecord now = job(id);
    if (proto::is_terminal(now.status)) {
      if (on_update) on_update(now);
      return now;
    }
    last = std::move(now);
    empty_streams = any ? 0 : empty_streams + 1;
    if (empty_streams >= kMaxEmptyStreams) {
      throw ConnectionError("the event stream of job " + id + " on " + http_.options().base_url +
                            " keeps ending before the job finishes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * empty_streams));
  }
}

// ---- models ----

std::vector<proto::ModelRecord> W2vdClient::models() {
  const json j = call("GET", "/v1/models");
  return parse_list<proto::ModelRecord>(j, "models", "GET /v1/models",
                                        [](const json& x) { return proto::model_from_json(x); });
}

proto::ModelRecord W2vdClient::model(const std::string& id) {
  const std::string target = "/v1/models/" + url_encode(id);
  const json j = call("GET", target);
  return parse_record("GET " + target, [&] { return proto::model_from_json(j); });
}

void W2vdClient::delete_model(const std::string& id) {
  call("DELETE", "/v1/models/" + url_encode(id));
}

proto::ModelRecord W2vdClient::update_model(const std::string& id, const proto::ModelPatch& patch) {
  const std::string target = "/v1/models/" + url_encode(id);
  const json body = proto::to_json(patch);
  const json j = call("PATCH", target, &body);
  return parse_record("PATCH " + target, [&] { return proto::model_from_json(j); });
}

void W2vdClient::export_model(const std::string& id, const std::string& format,
                              const std::string& path) {
  const std::string target =
      "/v1/models/" + url_encode(id) + "/vectors?format=" + url_encode(format);
  const HttpResponse r = http_.download(target, path);
  if (!is_2xx(r.status)) throw error_from(r);
}

void W2vdClient::export_model_to(const std::string& id, const std::string& format,
                                 const std::function<void(const char*, std::size_t)>& sink) {
  const std::string target =
      "/v1/models/" + url_encode(id) + "/vectors?format=" + url_encode(format);
  const HttpResponse r = http_.download_to(target, sink);
  if (!is_2xx(r.status)) throw error_from(r);
}

proto::ModelRecord W2vdClient::import_model(const std::string& path, const std::string& name,
                                            const std::string& format, const ProgressFn& progress) {
  std::string target = "/v1/models?format=" + url_encode(format);
  if (!name.empty()) target += "&name=" + url_encode(name);
  const HttpResponse r =
      http_.upload_file(target, path, "application/octet-stream", false, progress);
  const std::string what = "POST " + target;
  const json j = checked_json(r, what);
  return parse_record(what, [&] { return proto::model_from_json(j); });
}

// ---- queries ----

std::vector<float> W2vdClient::vector(const std::string& model, const std::string& word,
                                      bool* oov) {
  const std::string target = "/v1/models/" + url_encode(model) + "/words/" + url_encode(word);
  const json j = call("GET", target);
  if (oov) *oov = parse_oov(j, "GET " + target);
  return parse_record("GET " + target, [&] { return j.at("vector").get<std::vector<float>>(); });
}

std::vector<std::optional<std::vector<float>>> W2vdClient::vectors(
    const std::string& model, const std::vector<std::string>& words, std::vector<bool>* oov) {
  const std::string target = "/v1/models/" + url_encode(model) + "/batch/vectors";
  std::vector<std::optional<std::vector<float>>> out;
  out.reserve(words.size());
  if (oov) oov->clear();
  for (std::size_t i = 0; i < words.size(); i += proto::kMaxBatchWords) {
    const auto first = words.begin() + static_cast<std::ptrdiff_t>(i);
    const auto last =
        first + static_cast<std::ptrdiff_t>(std::min(words.size() - i, proto::kMaxBatchWords));
    const json body = {{"words", std::vector<std::string>(first, last)}};
    const json j = call("POST", target, &body);
    parse_record("POST " + target, [&] {
      for (const json& r : j.at("results")) {
        out.push_back(r.at("found").get<bool>()
                          ? std::optional(r.at("vector").get<std::vector<float>>())
                          : std::nullopt);
        if (oov) oov->push_back(r.value("oov", false));
      }
      return 0;
    });
  }
  return out;
}

ScoredWords W2vdClient::similar(const std::string& model, const std::vector<std::string>& positive,
                                const std::vector<std::string>& negative, std::size_t k,
                                std::optional<bool> exact, std::string* search, bool* oov,
                                proto::IndexStatus* index) {
  const std::string base = "/v1/models/" + url_encode(model) + "/similar";
  std::string what;
  json j;
  if (positive.size() == 1 && negative.empty()) {
    std::string target = base + "?word=" + url_encode(positive.front()) + "&k=" + std::to_string(k);
    if (exact) target += *exact ? "&exact=true" : "&exact=false";
    what = "GET " + target;
    j = call("GET", target);
  } else {
    const json body = proto::to_json(proto::SimilarRequest{positive, negative, k, exact});
    what = "POST " + base;
    j = call("POST", base, &body);
  }
  ScoredWords results = parse_results(j, what);
  if (search) {
    *search = parse_record(what, [&] { return j.value("search", std::string("exact")); });
  }
  if (oov) *oov = parse_oov(j, what);
  if (index) {
    *index = j.contains("index")
                 ? parse_record(what, [&] { return proto::index_status_from_json(j.at("index")); })
                 : proto::IndexStatus{};
  }
  return results;
}

double W2vdClient::similarity(const std::string& model, const std::string& a, const std::string& b,
                              bool* oov) {
  const std::string target =
      "/v1/models/" + url_encode(model) + "/similarity?a=" + url_encode(a) + "&b=" + url_encode(b);
  const json j = call("GET", target);
  if (oov) *oov = parse_oov(j, "GET " + target);
  return parse_record("GET " + target, [&] { return j.at("similarity").get<double>(); });
}

ScoredWords W2vdClient::analogy(const std::string& model, const proto::AnalogyRequest& request,
                                bool* oov) {
  const std::string target = "/v1/models/" + url_encode(model) + "/analogy";
  const json body = proto::to_json(request);
  const json j = call("POST", target, &body);
  if (oov) *oov = parse_oov(j, "POST " + target);
  return parse_results(j, "POST " + target);
}

json W2vdClient::evaluate(const std::string& model, const std::string& path,
                          const std::string& kind) {
  const std::string target =
      "/v1/models/" + url_encode(model) + "/evaluate?kind=" + url_encode(kind);
  const HttpResponse r = http_.request("POST", target, read_file(path), "text/plain");
  return checked_json(r, "POST " + target);
}

}  // namespace w2v::client
