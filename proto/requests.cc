#include "proto/requests.h"

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "proto/api_error.h"
#include "proto/json_fields.h"
#include "proto/json_text.h"
#include "proto/records.h"

namespace w2v::proto {
namespace {

using nlohmann::json;

// Deeper request bodies are refused before they are built (no request needs more than 3).
constexpr int kMaxDepth = 64;

[[noreturn]] void invalid(const std::string& message) {
  throw ApiError::bad_request(message, "invalid_argument");
}

std::string join(const std::string& prefix, std::string_view key) {
  std::string out = prefix;
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

// Refuses any member of obj whose name is not in known.
void reject_unknown(const json& obj, const std::string& prefix,
                    std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    bool found = false;
    for (const auto k : known) found = found || k == key;
    if (found) continue;
    std::string list;
    for (const auto k : known) {
      if (!list.empty()) list += ", ";
      list += k;
    }
    throw ApiError::bad_request(
        "unknown field " + json_string(join(prefix, key)) + " (known: " + list + ")",
        "unknown_field");
  }
}

void require_object(const json& j, const std::string& name) {
  if (j.is_object()) return;
  if (name.empty()) invalid("request body must be a JSON object, got " + kind_of(j));
  invalid(name + " must be an object, got " + describe(j));
}

// An integer in [min, max] (proto/json_fields.h says what counts as an integer).
std::int64_t get_integer(const json& v, const std::string& name, std::int64_t min,
                         std::int64_t max) {
  const auto r = read_integer(v, min, max);
  if (r.error == NumberError::kNotInteger)
    invalid(name + " must be an integer, got " + describe(v));
  if (r.error == NumberError::kOutOfRange) {
    invalid(name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
            "], got " + describe(v));
  }
  return r.value;
}

// A name of table.
template <class E, std::size_t N>
E get_enum(const json& v, const std::string& name, const EnumName<E> (&table)[N]) {
  if (!v.is_string()) {
    invalid(name + " must be a string (" + quoted_names(table) + "), got " + describe(v));
  }
  const auto e = value_of(table, v.get_ref<const std::string&>());
  if (!e) invalid(name + " must be " + quoted_names(table) + ", got " + describe(v));
  return *e;
}

std::string get_string(const json& v, const std::string& name, bool allow_empty) {
  if (!v.is_string()) invalid(name + " must be a string, got " + describe(v));
  std::string s = v.get<std::string>();
  if (!allow_empty && s.empty()) invalid(name + " must be a non-empty string, got \"\"");
  return s;
}

const json* find(const json& obj, std::string_view key) {
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json& require(const json& obj, std::string_view key, const std::string& what) {
  const json* v = find(obj, key);
  if (v == nullptr) invalid(std::string(key) + " is required (" + what + ")");
  return *v;
}

std::size_t get_k(const json& obj) {
  const json* v = find(obj, "k");
  if (v == nullptr) return 10;
  return static_cast<std::size_t>(get_integer(*v, "k", 1, static_cast<std::int64_t>(kMaxK)));
}

std::vector<std::string> get_words(const json& obj, std::string_view key,
                                   std::size_t max = kMaxQueryWords) {
  std::vector<std::string> out;
  const json* v = find(obj, key);
  if (v == nullptr) return out;
  const std::string name(key);
  if (!v->is_array()) invalid(name + " must be an array of words, got " + describe(*v));
  if (v->size() > max) {
    invalid(name + " may hold at most " + std::to_string(max) + " words, got " +
            std::to_string(v->size()));
  }
  out.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string field = name + "[" + std::to_string(i) + "]";
    out.push_back(get_string((*v)[i], field, false));
    check_word(field, out.back());
  }
  return out;
}

// An unsigned decimal integer in [min, max] from a query string; 400 naming field otherwise.
std::size_t parse_count(const std::string& field, const std::string& text, std::size_t min,
                        std::size_t max) {
  std::size_t value = 0;
  bool ok = !text.empty() && text.size() <= 10;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!ok || value < min || value > max)
    invalid(field + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
            "], got " + describe(json(json_string(text))));
  return value;
}

}  // namespace

json parse_json_body(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw ApiError::bad_request("request body is empty; send a JSON object", "invalid_json");
  json j;
  try {
    const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
      if (depth >= kMaxDepth &&
          (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start))
        throw ApiError::bad_request(
            "request body is nested deeper than " + std::to_string(kMaxDepth) + " levels",
            "invalid_json");
      return true;
    };
    j = json::parse(body, limit_depth);
  } catch (const json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string what = e.what();
    if (!what.empty() && what.front() == '[') {
      const auto end = what.find("] ");
      if (end != std::string::npos) what.erase(0, end + 2);
    }
    throw ApiError::bad_request("request body is not valid JSON: " + json_string(what),
                                "invalid_json");
  }
  if (!j.is_object())
    throw ApiError::bad_request("request body must be a JSON object, got " + kind_of(j),
                                "invalid_json");
  return j;
}

CreateJobRequest parse_create_job(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"corpus_id", "name", "params", "init_model", "vocabulary", "ranks"});
  CreateJobRequest r;
  r.corpus_id =
      get_string(require(j, "corpus_id", "the id of an uploaded corpus"), "corpus_id", false);
  check_name("corpus_id", r.corpus_id);
  if (const json* v = find(j, "name")) {
    r.name = get_string(*v, "name", true);
    check_name("name", r.name);
  }
  if (const json* v = find(j, "params")) r.params = parse_train_params(*v, "params");
  if (const json* v = find(j, "init_model")) r.init_model = get_string(*v, "init_model", false);
  if (const json* v = find(j, "vocabulary")) {
    const auto mode = v->is_string() ? parse_vocabulary_mode(v->get<std::string>()) : std::nullopt;
    if (!mode) invalid("vocabulary must be \"extend\" or \"keep\", got " + describe(*v));
    if (!r.init_model) invalid("vocabulary applies only with init_model (the model to continue)");
    r.vocabulary = *mode;
  }
  if (const json* v = find(j, "ranks"))
    r.ranks = static_cast<int>(get_integer(*v, "ranks", 1, kMaxRanks));
  return r;
}

SimilarRequest parse_similar(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"positive", "negative", "k", "exact"});
  SimilarRequest r;
  r.positive = get_words(j, "positive");
  r.negative = get_words(j, "negative");
  if (r.positive.empty() && r.negative.empty())
    invalid("positive and negative must not both be empty; give at least one word");
  r.k = get_k(j);
  if (const json* v = find(j, "exact")) {
    if (!v->is_boolean()) invalid("exact must be true or false, got " + describe(*v));
    r.exact = v->get<bool>();
  }
  return r;
}

ModelFileFormat parse_model_file_format(const std::optional<std::string>& text) {
  if (!text) return ModelFileFormat::kBinary;
  if (const auto f = value_of(kModelFileFormatNames, *text)) return *f;
  throw ApiError::bad_request("format must be binary, text or fasttext, got " + *text);
}

ModelPatch parse_model_patch(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"name", "search"});
  ModelPatch p;
  if (const json* v = find(j, "name")) {
    p.name = get_string(*v, "name", false);
    check_name("name", *p.name);
  }
  if (const json* v = find(j, "search")) {
    p.search = get_enum(*v, "search", kSearchNames);
  }
  if (!p.name && !p.search) invalid("nothing to change: give name or search");
  return p;
}

AnalogyRequest parse_analogy(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"a", "b", "c", "k", "method"});
  AnalogyRequest r;
  r.a = get_string(require(j, "a", "a is to b as c is to ?"), "a", false);
  r.b = get_string(require(j, "b", "a is to b as c is to ?"), "b", false);
  r.c = get_string(require(j, "c", "a is to b as c is to ?"), "c", false);
  check_word("a", r.a);
  check_word("b", r.b);
  check_word("c", r.c);
  r.k = get_k(j);
  if (const json* v = find(j, "method")) r.method = get_enum(*v, "method", kAnalogyMethodNames);
  return r;
}

BatchRequest parse_batch_vectors(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"words"});
  BatchRequest r;
  require(j, "words", "the words to look up");
  r.words = get_words(j, "words", kMaxBatchWords);
  if (r.words.empty()) invalid("words must hold at least one word");
  return r;
}

BatchRequest parse_batch_similar(const json& j) {
  require_object(j, "");
  reject_unknown(j, "", {"words", "k", "exact"});
  BatchRequest r;
  require(j, "words", "the words whose neighbours to find");
  r.words = get_words(j, "words", kMaxBatchWords);
  if (r.words.empty()) invalid("words must hold at least one word");
  r.k = get_k(j);
  if (r.words.size() * r.k > kMaxBatchResults) {
    invalid("words x k must be at most " + std::to_string(kMaxBatchResults) + ", got " +
            std::to_string(r.words.size()) + " x " + std::to_string(r.k));
  }
  if (const json* v = find(j, "exact")) {
    if (!v->is_boolean()) invalid("exact must be true or false, got " + describe(*v));
    r.exact = v->get<bool>();
  }
  return r;
}

std::size_t parse_k(const std::string& text) {
  return parse_count("k", text, 1, kMaxK);
}

std::size_t parse_restrict(const std::string& text) {
  return parse_count("restrict", text, 0, kMaxRestrict);
}

void check_name(const std::string& field, std::string_view name) {
  if (name.size() > kMaxNameBytes) {
    invalid(field + " must be at most " + std::to_string(kMaxNameBytes) + " bytes, got " +
            std::to_string(name.size()));
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) {
      invalid(field + " must not contain control characters (byte " + std::to_string(c) +
              " at offset " + std::to_string(i) + ")");
    }
  }
}

void check_word(const std::string& field, std::string_view word) {
  if (word.empty()) invalid(field + " must be a non-empty word");
  if (word.size() > kMaxWordBytes) {
    invalid(field + " must be at most " + std::to_string(kMaxWordBytes) + " bytes, got " +
            std::to_string(word.size()));
  }
}

void check_query_parameters(const std::multimap<std::string, std::string>& query) {
  if (query.size() > kMaxQueryParameters) {
    invalid("the query string may hold at most " + std::to_string(kMaxQueryParameters) +
            " parameters, got " + std::to_string(query.size()));
  }
  for (const auto& [name, value] : query) {
    if (name.size() > kMaxQueryParameterBytes) {
      invalid("a query parameter name must be at most " + std::to_string(kMaxQueryParameterBytes) +
              " bytes, got " + std::to_string(name.size()));
    }
    if (value.size() > kMaxQueryParameterBytes) {
      invalid("query parameter " + describe(json(json_string(name))) + " must be at most " +
              std::to_string(kMaxQueryParameterBytes) + " bytes, got " +
              std::to_string(value.size()));
    }
  }
}

// ---- the bodies the client writes ----

json to_json(const CreateJobRequest& r) {
  json j = {{"corpus_id", r.corpus_id}, {"params", to_json(r.params)}};
  if (!r.name.empty()) j["name"] = r.name;
  if (r.init_model) {
    j["init_model"] = *r.init_model;
    j["vocabulary"] = to_string(r.vocabulary);
  }
  if (r.ranks != 1) j["ranks"] = r.ranks;
  return j;
}

json to_json(const SimilarRequest& r) {
  json j = {{"positive", r.positive}, {"negative", r.negative}, {"k", r.k}};
  if (r.exact) j["exact"] = *r.exact;
  return j;
}

json to_json(const ModelPatch& p) {
  json j = json::object();
  if (p.name) j["name"] = *p.name;
  if (p.search) j["search"] = name_of(kSearchNames, *p.search);
  return j;
}

json to_json(const AnalogyRequest& r) {
  return json{{"a", r.a},
              {"b", r.b},
              {"c", r.c},
              {"k", r.k},
              {"method", name_of(kAnalogyMethodNames, r.method)}};
}

}  // namespace w2v::proto
