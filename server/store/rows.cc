#include "server/store/rows.h"

#include <optional>
#include <stdexcept>

#include "proto/json_text.h"

namespace w2v::server::rows {
namespace {

using nlohmann::json;

[[noreturn]] void corrupt(const std::string& what, const std::string& id, const char* why) {
  throw std::runtime_error("corrupt " + what + " in the database for " + id + ": " + why);
}

std::optional<std::int64_t> optional_i64(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return *v;
}
std::optional<int> optional_int(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

TrainParams params_from_text(const std::string& text, const std::string& id) {
  try {
    return proto::train_params_from_json(json::parse(text), "params");
  } catch (const std::exception& e) {
    corrupt("params", id, e.what());
  }
}

proto::JobProgress progress_from_text(const std::string& text, const std::string& id) {
  try {
    return proto::progress_from_json(json::parse(text));
  } catch (const std::exception& e) {
    corrupt("progress", id, e.what());
  }
}

json evaluation_from_text(const std::string& text, const std::string& id) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    corrupt("evaluation", id, e.what());
  }
  if (!j.is_object()) corrupt("evaluation", id, "not a JSON object");
  return j;
}

std::string evaluation_text(const json& evaluation) {
  return proto::dump(evaluation.is_null() ? json::object() : evaluation);
}

}  // namespace

std::int64_t to_i64(std::uint64_t v) noexcept {
  return static_cast<std::int64_t>(v);
}
std::uint64_t to_u64(std::int64_t v) noexcept {
  return static_cast<std::uint64_t>(v);
}

// A column holding a name of table (an enum); a name not in it is a corrupt row.
template <class E, std::size_t N>
E enum_column(const EnumName<E> (&table)[N], const char* column, const std::string& text,
              const std::string& id) {
  const auto parsed = value_of(table, text);
  if (!parsed)
    corrupt(column, id, ("unknown " + std::string(column) + " \"" + text + "\"").c_str());
  return *parsed;
}
template <class E, std::size_t N>
std::optional<E> optional_enum_column(const EnumName<E> (&table)[N], const char* column,
                                      const std::optional<std::string>& text,
                                      const std::string& id) {
  if (!text) return std::nullopt;
  return enum_column(table, column, *text, id);
}
template <class E, std::size_t N>
std::optional<std::string> optional_name(const EnumName<E> (&table)[N], const std::optional<E>& v) {
  if (!v) return std::nullopt;
  return std::string(name_of(table, *v));
}

proto::JobStatus job_status(const std::string& text, const std::string& id) {
  return enum_column(proto::kJobStatusNames, "status", text, id);
}

// ---- corpora ----

proto::CorpusRecord read_corpus(const sqlite::Statement& s) {
  proto::CorpusRecord c;
  c.id = s.column_text(0);
  c.name = s.column_text(1);
  c.bytes = to_u64(s.column_int64(2));
  c.tokens = to_u64(s.column_int64(3));
  c.sentences = to_u64(s.column_int64(4));
  c.distinct_words = to_u64(s.column_int64(5));
  c.created_at = s.column_text(6);
  c.broken = s.column_optional_text(7);
  return c;
}

void bind_corpus(sqlite::Statement& s, const proto::CorpusRecord& c) {
  s.bind_text(":id", c.id);
  s.bind_text(":name", c.name);
  s.bind_int64(":bytes", to_i64(c.bytes));
  s.bind_int64(":tokens", to_i64(c.tokens));
  s.bind_int64(":sentences", to_i64(c.sentences));
  s.bind_int64(":distinct_words", to_i64(c.distinct_words));
  s.bind_text(":created_at", c.created_at);
}

// ---- jobs ----

proto::JobRecord read_job(const sqlite::Statement& s) {
  proto::JobRecord j;
  j.id = s.column_text(0);
  j.corpus_id = s.column_text(1);
  j.name = s.column_text(2);
  j.status = job_status(s.column_text(3), j.id);
  j.params = params_from_text(s.column_text(4), j.id);
  j.progress = progress_from_text(s.column_text(5), j.id);
  j.model_id = s.column_optional_text(6);
  j.error = s.column_optional_text(7);
  j.created_at = s.column_text(8);
  j.started_at = s.column_optional_text(9);
  j.finished_at = s.column_optional_text(10);
  j.attempts = static_cast<int>(s.column_int64(11));
  j.resumed_from_epoch = optional_int(s.column_optional_int64(12));
  j.init_model = s.column_optional_text(13);
  j.vocabulary =
      optional_enum_column(kVocabularyModeNames, "vocabulary", s.column_optional_text(14), j.id);
  j.ranks = static_cast<int>(s.column_int64(15));
  return j;
}

void bind_job(sqlite::Statement& s, const proto::JobRecord& j) {
  s.bind_text(":id", j.id);
  s.bind_text(":corpus_id", j.corpus_id);
  s.bind_text(":name", j.name);
  s.bind_text(":status", proto::to_string(j.status));
  s.bind_text(":params", proto::dump(proto::to_json(j.params)));
  s.bind_text(":progress", proto::dump(proto::to_json(j.progress)));
  s.bind_optional_text(":model_id", j.model_id);
  s.bind_optional_text(":error", j.error);
  s.bind_text(":created_at", j.created_at);
  s.bind_optional_text(":started_at", j.started_at);
  s.bind_optional_text(":finished_at", j.finished_at);
  s.bind_int64(":attempts", j.attempts);
  s.bind_optional_int64(":resumed_from_epoch", optional_i64(j.resumed_from_epoch));
  s.bind_optional_text(":init_model", j.init_model);
  s.bind_optional_text(":vocabulary", optional_name(kVocabularyModeNames, j.vocabulary));
  s.bind_int64(":ranks", j.ranks);
}

// ---- models ----

proto::ModelRecord read_model(const sqlite::Statement& s) {
  proto::ModelRecord m;
  m.id = s.column_text(0);
  m.job_id = s.column_optional_text(1);
  m.name = s.column_text(2);
  m.vocab_size = to_u64(s.column_int64(3));
  m.dim = static_cast<int>(s.column_int64(4));
  if (const auto params = s.column_optional_text(5)) m.params = params_from_text(*params, m.id);
  m.evaluation = evaluation_from_text(s.column_text(6), m.id);
  m.source = enum_column(proto::kModelSourceNames, "source", s.column_text(7), m.id);
  m.created_at = s.column_text(8);
  m.search = enum_column(proto::kSearchNames, "search", s.column_text(9), m.id);
  m.parent_id = s.column_optional_text(10);
  m.weights = enum_column(proto::kModelWeightsNames, "weights", s.column_text(11), m.id);
  m.broken = s.column_optional_text(12);
  return m;
}

void bind_model(sqlite::Statement& s, const proto::ModelRecord& m) {
  s.bind_text(":id", m.id);
  s.bind_optional_text(":job_id", m.job_id);
  s.bind_text(":name", m.name);
  s.bind_int64(":vocab_size", to_i64(m.vocab_size));
  s.bind_int64(":dim", m.dim);
  if (m.params) {
    s.bind_text(":params", proto::dump(proto::to_json(*m.params)));
  } else {
    s.bind_null(":params");
  }
  s.bind_text(":evaluation", evaluation_text(m.evaluation));
  s.bind_text(":source", name_of(proto::kModelSourceNames, m.source));
  s.bind_text(":created_at", m.created_at);
  s.bind_text(":search", name_of(proto::kSearchNames, m.search));
  s.bind_optional_text(":parent_id", m.parent_id);
  s.bind_text(":weights", name_of(proto::kModelWeightsNames, m.weights));
}

}  // namespace w2v::server::rows
