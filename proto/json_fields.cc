#include "proto/json_fields.h"

#include <cmath>

#include "proto/json_text.h"

namespace w2v::proto {

using nlohmann::json;

std::string describe(const json& v) {
  std::string s = dump(v);
  if (s.size() > 64) s = s.substr(0, 61) + "...";
  return s;
}

std::string kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

NumberRead<std::int64_t> read_integer(const json& v, std::int64_t min, std::int64_t max) noexcept {
  std::int64_t value = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (max < 0 || u > static_cast<std::uint64_t>(max)) return {0, NumberError::kOutOfRange};
    value = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    value = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d) return {0, NumberError::kNotInteger};
    if (d < -9.0e18 || d > 9.0e18) return {0, NumberError::kOutOfRange};
    value = static_cast<std::int64_t>(d);
  } else {
    return {0, NumberError::kNotInteger};
  }
  if (value < min || value > max) return {0, NumberError::kOutOfRange};
  return {value, NumberError::kNone};
}

NumberRead<std::uint64_t> read_u64(const json& v) noexcept {
  if (v.is_number_unsigned()) return {v.get<std::uint64_t>(), NumberError::kNone};
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < 0) return {0, NumberError::kOutOfRange};
    return {static_cast<std::uint64_t>(i), NumberError::kNone};
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d) return {0, NumberError::kNotInteger};
    if (d < 0 || d >= 18446744073709551616.0) return {0, NumberError::kOutOfRange};
    return {static_cast<std::uint64_t>(d), NumberError::kNone};
  }
  return {0, NumberError::kNotInteger};
}

}  // namespace w2v::proto
