#include "proto/records.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "proto/api_error.h"
#include "proto/json_fields.h"
#include "proto/json_text.h"

namespace w2v::proto {
namespace {

using nlohmann::json;

// Non-finite numbers have no JSON form: they are written as null (e.g. an unknown ETA).
json number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

json optional_string(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json_string(*s);
}

// Reads the fields of one JSON object; every error names the record and the field's path.
class Reader {
 public:
  Reader(const json& j, std::string record, std::string prefix = "")
      : j_(j), record_(std::move(record)), prefix_(std::move(prefix)) {
    if (!j_.is_object()) {
      if (prefix_.empty()) fail(record_ + " must be a JSON object, got " + describe(j_));
      fail(record_ + ": field " + prefix_.substr(0, prefix_.size() - 1) +
           " must be an object, got " + describe(j_));
    }
  }

  const json& get(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) fail(record_ + ": missing field " + path(key));
    return *it;
  }
  bool is_null(const char* key) const { return get(key).is_null(); }

  std::string str(const char* key) const {
    const json& v = get(key);
    if (!v.is_string()) wrong(key, "a string", v);
    return v.get<std::string>();
  }
  std::optional<std::string> opt_str(const char* key) const {
    if (is_null(key)) return std::nullopt;
    return str(key);
  }

  std::int64_t integer(const char* key, std::int64_t min, std::int64_t max) const {
    const json& v = get(key);
    const auto r = read_integer(v, min, max);
    if (r.error != NumberError::kNone) {
      wrong(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]", v);
    }
    return r.value;
  }
  int int32(const char* key) const {
    return static_cast<int>(
        integer(key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  }
  std::uint64_t u64(const char* key) const {
    const json& v = get(key);
    const auto r = read_u64(v);
    if (r.error != NumberError::kNone) wrong(key, "a non-negative integer", v);
    return r.value;
  }
  double real(const char* key) const {
    const json& v = get(key);
    if (!v.is_number()) wrong(key, "a number", v);
    return v.get<double>();
  }
  // A number, or null for a non-finite value (read back as NaN).
  double real_or_null(const char* key) const {
    if (is_null(key)) return std::numeric_limits<double>::quiet_NaN();
    return real(key);
  }

  // A name of table.
  template <class E, std::size_t N>
  E enumeration(const char* key, const EnumName<E> (&table)[N]) const {
    const auto e = value_of(table, str(key));
    if (!e) wrong(key, quoted_names(table), get(key));
    return *e;
  }

  std::string path(const char* key) const { return prefix_ + key; }
  const std::string& record() const { return record_; }

  [[noreturn]] void wrong(const char* key, const std::string& what, const json& v) const {
    fail(record_ + ": field " + path(key) + " must be " + what + ", got " + describe(v));
  }
  [[noreturn]] static void fail(const std::string& message) {
    throw ApiError::bad_request(message);
  }

 private:
  const json& j_;
  std::string record_;
  std::string prefix_;
};

// "state" and "error" of a corpus or model (absent from servers older than broken rows: ready).
std::optional<std::string> broken_from(const Reader& r, const json& j) {
  if (!j.contains("state") || r.str("state") == "ready") return std::nullopt;
  if (r.str("state") != "broken") r.wrong("state", "\"ready\" or \"broken\"", r.get("state"));
  return r.opt_str("error").value_or("");
}

JobProgress progress_from(const json& j, const std::string& record, const std::string& prefix) {
  const Reader r(j, record, prefix);
  JobProgress p;
  p.epoch = r.int32("epoch");
  p.epochs = r.int32("epochs");
  p.words_done = r.u64("words_done");
  p.words_total = r.u64("words_total");
  p.fraction = r.real_or_null("fraction");
  p.words_per_sec = r.real_or_null("words_per_sec");
  p.loss = r.real_or_null("loss");
  p.alpha = r.real_or_null("alpha");
  p.eta_seconds = r.real_or_null("eta_seconds");
  return p;
}

}  // namespace

std::string_view to_string(JobStatus s) noexcept {
  return name_of(kJobStatusNames, s);
}

std::optional<JobStatus> parse_job_status(std::string_view s) noexcept {
  return value_of(kJobStatusNames, s);
}

json to_json(const JobProgress& p) {
  return json{
      {"epoch", p.epoch},
      {"epochs", p.epochs},
      {"words_done", p.words_done},
      {"words_total", p.words_total},
      {"fraction", number(p.fraction)},
      {"words_per_sec", number(p.words_per_sec)},
      {"loss", number(p.loss)},
      {"alpha", number(p.alpha)},
      {"eta_seconds", number(p.eta_seconds)},
  };
}

json to_json(const CorpusRecord& r) {
  return json{
      {"id", json_string(r.id)},
      {"name", json_string(r.name)},
      {"bytes", r.bytes},
      {"tokens", r.tokens},
      {"sentences", r.sentences},
      {"distinct_words", r.distinct_words},
      {"created_at", json_string(r.created_at)},
      {"state", std::string(r.state())},
      {"error", optional_string(r.broken)},
  };
}

json to_json(const IndexStatus& s) {
  return json{
      {"state", name_of(kIndexStateNames, s.state)},
      {"progress", number(s.progress)},
      {"error", optional_string(s.error)},
  };
}

IndexStatus index_status_from_json(const json& j) {
  const Reader r(j, "index status");
  IndexStatus s;
  s.state = r.enumeration("state", kIndexStateNames);
  s.progress = r.real("progress");
  s.error = r.opt_str("error");
  return s;
}

json to_json(const JobRecord& r) {
  return json{
      {"id", json_string(r.id)},
      {"corpus_id", json_string(r.corpus_id)},
      {"name", json_string(r.name)},
      {"status", std::string(to_string(r.status))},
      {"params", to_json(r.params)},
      {"progress", to_json(r.progress)},
      {"model_id", optional_string(r.model_id)},
      {"error", optional_string(r.error)},
      {"created_at", json_string(r.created_at)},
      {"started_at", optional_string(r.started_at)},
      {"finished_at", optional_string(r.finished_at)},
      {"attempts", r.attempts},
      {"resumed_from_epoch", r.resumed_from_epoch ? json(*r.resumed_from_epoch) : json(nullptr)},
      {"init_model", optional_string(r.init_model)},
      {"vocabulary", r.vocabulary ? json(to_string(*r.vocabulary)) : json(nullptr)},
      {"ranks", r.ranks},
  };
}

json to_json(const ModelRecord& r) {
  return json{
      {"id", json_string(r.id)},
      {"job_id", optional_string(r.job_id)},
      {"name", json_string(r.name)},
      {"vocab_size", r.vocab_size},
      {"dim", r.dim},
      {"params", r.params ? to_json(*r.params) : json(nullptr)},
      {"evaluation", r.evaluation.is_null() ? json::object() : r.evaluation},
      {"source", name_of(kModelSourceNames, r.source)},
      {"created_at", json_string(r.created_at)},
      {"search", name_of(kSearchNames, r.search)},
      {"parent_id", optional_string(r.parent_id)},
      {"weights", name_of(kModelWeightsNames, r.weights)},
      {"state", std::string(r.state())},
      {"error", optional_string(r.broken)},
      {"index", to_json(r.index)},
  };
}

CorpusRecord corpus_from_json(const json& j) {
  const Reader r(j, "corpus record");
  CorpusRecord c;
  c.id = r.str("id");
  c.name = r.str("name");
  c.bytes = r.u64("bytes");
  c.tokens = r.u64("tokens");
  c.sentences = r.u64("sentences");
  c.distinct_words = r.u64("distinct_words");
  c.created_at = r.str("created_at");
  c.broken = broken_from(r, j);
  return c;
}

JobProgress progress_from_json(const json& j) {
  return progress_from(j, "job progress", "");
}

JobRecord job_from_json(const json& j) {
  const Reader r(j, "job record");
  JobRecord job;
  job.id = r.str("id");
  job.corpus_id = r.str("corpus_id");
  job.name = r.str("name");
  job.status = r.enumeration("status", kJobStatusNames);
  job.params = train_params_from_json(r.get("params"), r.record(), "params.");
  job.progress = progress_from(r.get("progress"), r.record(), "progress.");
  job.model_id = r.opt_str("model_id");
  job.error = r.opt_str("error");
  job.created_at = r.str("created_at");
  job.started_at = r.opt_str("started_at");
  job.finished_at = r.opt_str("finished_at");
  job.attempts = r.int32("attempts");
  if (!r.is_null("resumed_from_epoch")) job.resumed_from_epoch = r.int32("resumed_from_epoch");
  // Absent from servers older than continued training.
  if (j.contains("init_model")) job.init_model = r.opt_str("init_model");
  if (j.contains("vocabulary") && !r.is_null("vocabulary")) {
    job.vocabulary = r.enumeration("vocabulary", kVocabularyModeNames);
  }
  if (j.contains("ranks")) job.ranks = r.int32("ranks");  // absent before distributed jobs
  return job;
}

ModelRecord model_from_json(const json& j) {
  const Reader r(j, "model record");
  ModelRecord m;
  m.id = r.str("id");
  m.job_id = r.opt_str("job_id");
  m.name = r.str("name");
  m.vocab_size = r.u64("vocab_size");
  m.dim = r.int32("dim");
  if (!r.is_null("params"))
    m.params = train_params_from_json(r.get("params"), r.record(), "params.");
  {
    const json& e = r.get("evaluation");
    if (!e.is_object()) r.wrong("evaluation", "an object", e);
    m.evaluation = e;
  }
  m.source = r.enumeration("source", kModelSourceNames);
  m.created_at = r.str("created_at");
  if (j.contains("search")) {  // absent from servers older than the setting: exact
    m.search = r.enumeration("search", kSearchNames);
  }
  // Absent from servers older than continued training, whose models kept their vectors only.
  if (j.contains("parent_id")) m.parent_id = r.opt_str("parent_id");
  if (j.contains("weights")) m.weights = r.enumeration("weights", kModelWeightsNames);
  m.broken = broken_from(r, j);
  if (j.contains("index")) m.index = index_status_from_json(r.get("index"));  // absent: older
  return m;
}

std::string now_rfc3339() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long millis = static_cast<long>(ms % 1000);
  if (millis < 0) {  // before 1970: keep the fraction non-negative
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", millis);
  return buf;
}

}  // namespace w2v::proto
