#include "proto/train_params_json.h"

#include <cstdint>
#include <limits>

#include "proto/api_error.h"
#include "proto/json_fields.h"
#include "proto/json_text.h"

namespace w2v::proto {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& message) {
  throw ApiError::bad_request(message, "invalid_argument");
}

// What a JSON value must be: kind_text, and a choice must be a string.
std::string json_kind_text(const ParamSpec& s) {
  if (s.kind == ParamKind::kChoice) return "a string (" + range_text(s) + ")";
  return kind_text(s);
}

// The valid values for messages, with alpha's 0.
std::string valid_text(const ParamSpec& s) {
  std::string out = range_text(s);
  if (s.zero_is_default) out += " (or 0 for the model's default)";
  return out;
}

[[noreturn]] void out_of_range(const ParamSpec& s, const json& v, const std::string& name) {
  refuse(name + " must be " + valid_text(s) + ", got " + describe(v));
}
[[noreturn]] void wrong_type(const ParamSpec& s, const json& v, const std::string& name) {
  refuse(name + " must be " + json_kind_text(s) + ", got " + describe(v));
}

// Requests are held to the table's ranges; records only to the kinds (a record is what this
// server or an older one admitted, and stays readable should a range ever narrow).
enum class Ranges { kChecked, kUnchecked };

// v as the parameter's value (within its range when checked); a 400 naming `name` otherwise.
ParamValue read_param(const ParamSpec& s, const json& v, const std::string& name, Ranges ranges) {
  const bool checked = ranges == Ranges::kChecked;
  switch (s.kind) {
    case ParamKind::kInteger: {
      const auto r = checked ? read_integer(v, s.int_min, s.int_max)
                             : read_integer(v, std::numeric_limits<std::int64_t>::min(),
                                            std::numeric_limits<std::int64_t>::max());
      if (r.error == NumberError::kNotInteger) wrong_type(s, v, name);
      if (r.error == NumberError::kOutOfRange) out_of_range(s, v, name);
      return r.value;
    }
    case ParamKind::kUnsigned: {
      const auto r = read_u64(v);
      if (r.error == NumberError::kNotInteger) wrong_type(s, v, name);
      if (r.error == NumberError::kOutOfRange) out_of_range(s, v, name);
      return r.value;
    }
    case ParamKind::kReal: {
      if (!v.is_number()) wrong_type(s, v, name);
      const ParamValue x = v.get<double>();
      if (checked && check_param(s, x)) out_of_range(s, v, name);
      return x;
    }
    case ParamKind::kBool:
      if (!v.is_boolean()) wrong_type(s, v, name);
      return v.get<bool>();
    case ParamKind::kChoice: {
      if (!v.is_string()) wrong_type(s, v, name);
      const auto x = param_from_text(s, v.get_ref<const std::string&>());
      if (!x) out_of_range(s, v, name);
      return *x;
    }
  }
  wrong_type(s, v, name);
}

json value_json(const ParamSpec& s, const ParamValue& v) {
  switch (s.kind) {
    case ParamKind::kInteger:
      return std::get<std::int64_t>(v);
    case ParamKind::kUnsigned:
      return std::get<std::uint64_t>(v);
    case ParamKind::kReal:
      return std::get<double>(v);
    case ParamKind::kBool:
      return std::get<bool>(v);
    case ParamKind::kChoice:
      return std::string(std::get<std::string_view>(v));
  }
  return nullptr;
}

}  // namespace

ParamSettings parse_train_params(const json& j, const std::string& field) {
  if (!j.is_object()) refuse(field + " must be an object, got " + describe(j));
  const auto path = [&field](const std::string& key) {
    return field.empty() ? key : field + "." + key;
  };
  // Unknown fields first, whatever else is wrong.
  for (const auto& [key, value] : j.items()) {
    if (find_param(key) != nullptr) continue;
    std::string known;
    for (const ParamSpec& k : kParams) {
      if (!known.empty()) known += ", ";
      known += k.name;
    }
    throw ApiError::bad_request(
        "unknown field " + json_string(path(key)) + " (known: " + known + ")", "unknown_field");
  }
  ParamSettings out;
  for (const auto& [key, value] : j.items()) {
    const ParamSpec& s = *find_param(key);
    out.set(s, read_param(s, value, path(key), Ranges::kChecked));
  }
  return out;
}

json to_json(const ParamSettings& settings) {
  json j = json::object();
  for (const ParamSpec& s : kParams) {
    if (const auto& v = settings.get(s)) j[std::string(s.name)] = value_json(s, *v);
  }
  return j;
}

json to_json(const TrainParams& p) {
  json j = json::object();
  for (const ParamSpec& s : kParams) j[std::string(s.name)] = value_json(s, s.get(p));
  return j;
}

TrainParams train_params_from_json(const json& j, const std::string& record,
                                   const std::string& prefix) {
  if (!j.is_object()) {
    if (prefix.empty()) refuse(record + " must be a JSON object, got " + describe(j));
    refuse(record + ": field " + prefix.substr(0, prefix.size() - 1) + " must be an object, got " +
           describe(j));
  }
  TrainParams p;
  for (const ParamSpec& s : kParams) {
    const std::string key(s.name);
    const auto it = j.find(key);
    if (it == j.end()) {
      if (s.added_later) continue;
      refuse(record + ": missing field " + prefix + key);
    }
    s.set(p, read_param(s, *it, record + ": field " + prefix + key, Ranges::kUnchecked));
  }
  return p;
}

std::string json_type_name(ParamKind k) {
  switch (k) {
    case ParamKind::kInteger:
    case ParamKind::kUnsigned:
      return "integer";
    case ParamKind::kReal:
      return "number";
    case ParamKind::kBool:
      return "boolean";
    case ParamKind::kChoice:
      return "string";
  }
  return "";
}

json params_description() {
  json list = json::array();
  const TrainParams defaults;
  for (const ParamSpec& s : kParams) {
    json d = {{"name", std::string(s.name)},    {"label", std::string(s.label)},
              {"type", json_type_name(s.kind)}, {"default", value_json(s, s.get(defaults))},
              {"flag", flag_name(s)},           {"help", std::string(s.help)}};
    if (s.kind == ParamKind::kInteger) {
      d["minimum"] = s.int_min;
      d["maximum"] = s.int_max;
    } else if (s.kind == ParamKind::kUnsigned) {
      d["minimum"] = 0;
      d["maximum"] = std::numeric_limits<std::uint64_t>::max();
    } else if (s.kind == ParamKind::kReal) {
      d["minimum"] = s.real_min;
      d["maximum"] = s.real_max;
    } else if (s.kind == ParamKind::kChoice) {
      json names = json::array();
      for (const auto c : s.choices) names.push_back(std::string(c));
      d["enum"] = names;
    }
    if (!s.default_rule.empty()) d["default_rule"] = std::string(s.default_rule);
    if (s.zero_is_default) d["zero_is_default"] = true;
    list.push_back(d);
  }
  return {{"params", list}};
}

}  // namespace w2v::proto
