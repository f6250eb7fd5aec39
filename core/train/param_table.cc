#include "core/train/param_table.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace w2v {
namespace {

// "%g": 1e-06, 0.0001, 1.
std::string real_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string quoted_choices(const ParamSpec& s) {
  std::string out;
  for (std::size_t i = 0; i < s.choices.size(); ++i) {
    if (i > 0) out += i + 1 == s.choices.size() ? " or " : ", ";
    out += '"';
    out += s.choices[i];
    out += '"';
  }
  return out;
}

template <class T>
std::optional<T> number_from_text(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

const ParamSpec* find_param(std::string_view name) noexcept {
  for (const ParamSpec& s : kParams)
    if (s.name == name) return &s;
  return nullptr;
}

std::string default_text(const ParamSpec& s) {
  if (!s.default_rule.empty()) return std::string(s.default_rule);
  return param_text(s, s.get(TrainParams{}));
}

std::string range_text(const ParamSpec& s) {
  switch (s.kind) {
    case ParamKind::kInteger:
      return "an integer in [" + std::to_string(s.int_min) + ", " + std::to_string(s.int_max) + "]";
    case ParamKind::kUnsigned:
      return "an integer in [0, " + std::to_string(std::numeric_limits<std::uint64_t>::max()) + "]";
    case ParamKind::kReal:
      return "a number in [" + real_text(s.real_min) + ", " + real_text(s.real_max) + "]";
    case ParamKind::kBool:
      return "true or false";
    case ParamKind::kChoice:
      return quoted_choices(s);
  }
  return "";
}

std::optional<std::string> check_param(const ParamSpec& s, const ParamValue& v) {
  bool valid = true;
  switch (s.kind) {
    case ParamKind::kInteger: {
      const auto x = std::get<std::int64_t>(v);
      valid = x >= s.int_min && x <= s.int_max;
      break;
    }
    case ParamKind::kReal: {
      const double x = std::get<double>(v);
      valid = (x >= s.real_min && x <= s.real_max) || (s.zero_is_default && x == 0);
      break;
    }
    case ParamKind::kChoice: {
      const auto name = std::get<std::string_view>(v);
      valid = false;
      for (const auto c : s.choices) valid = valid || c == name;
      break;
    }
    case ParamKind::kUnsigned:
    case ParamKind::kBool:
      break;
  }
  if (valid) return std::nullopt;
  return std::string(s.name) + " must be " + range_text(s) + ", got " + param_text(s, v);
}

std::string flag_name(const ParamSpec& s) {
  std::string flag = "--" + std::string(s.name);
  for (char& c : flag)
    if (c == '_') c = '-';
  return flag;
}

std::string kind_text(const ParamSpec& s) {
  switch (s.kind) {
    case ParamKind::kInteger:
    case ParamKind::kUnsigned:
      return "an integer";
    case ParamKind::kReal:
      return "a number";
    case ParamKind::kBool:
    case ParamKind::kChoice:
      return range_text(s);
  }
  return "";
}

std::optional<ParamValue> param_from_text(const ParamSpec& s, std::string_view text) {
  switch (s.kind) {
    case ParamKind::kInteger:
      if (auto x = number_from_text<std::int64_t>(text)) return ParamValue(*x);
      return std::nullopt;
    case ParamKind::kUnsigned:
      if (auto x = number_from_text<std::uint64_t>(text)) return ParamValue(*x);
      return std::nullopt;
    case ParamKind::kReal: {
      const auto x = number_from_text<double>(text);
      if (x && std::isfinite(*x)) return ParamValue(*x);
      return std::nullopt;
    }
    case ParamKind::kBool:
      if (text == "true") return ParamValue(true);
      if (text == "false") return ParamValue(false);
      return std::nullopt;
    case ParamKind::kChoice:
      for (const auto c : s.choices)
        if (c == text) return ParamValue(c);
      return std::nullopt;
  }
  return std::nullopt;
}

std::string param_text(const ParamSpec& s, const ParamValue& v) {
  switch (s.kind) {
    case ParamKind::kInteger:
      return std::to_string(std::get<std::int64_t>(v));
    case ParamKind::kUnsigned:
      return std::to_string(std::get<std::uint64_t>(v));
    case ParamKind::kReal:
      return real_text(std::get<double>(v));
    case ParamKind::kBool:
      return std::get<bool>(v) ? "true" : "false";
    case ParamKind::kChoice:
      return std::string(std::get<std::string_view>(v));
  }
  return "";
}

TrainParams ParamSettings::over(TrainParams base) const {
  for (const ParamSpec& s : kParams) {
    if (const auto& v = get(s)) s.set(base, *v);
  }
  return base;
}

TrainParams settle_params(TrainParams p) {
  for (const ParamSpec& s : kParams) {
    if (s.settle != nullptr) s.settle(p);
  }
  return p;
}

}  // namespace w2v
