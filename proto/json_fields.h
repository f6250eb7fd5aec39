#pragma once
// What reading a JSON field takes, shared by the records' readers (records.cc) and the request
// parsers (requests.cc): a short rendering of a value for error messages, and numbers read
// exactly once, with the rules both follow. JSON has a single number type, so a number with an
// integral value written as a float (5.0, 1e3) is that integer; 5.5, booleans, strings and null
// are not integers. Each caller words its own error from the result.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base/enum_names.h"

namespace w2v::proto {

// v as JSON, cut to 64 characters ("..." at the end when cut), for error messages.
std::string describe(const nlohmann::json& v);
// "an array", "a string", "a boolean", "null", "an object" or "a number".
std::string kind_of(const nlohmann::json& v);

enum class NumberError { kNone, kNotInteger, kOutOfRange };

template <class T>
struct NumberRead {
  T value = 0;
  NumberError error = NumberError::kNone;
};

// An integer in [min, max].
NumberRead<std::int64_t> read_integer(const nlohmann::json& v, std::int64_t min,
                                      std::int64_t max) noexcept;
// An integer in [0, 2^64 − 1].
NumberRead<std::uint64_t> read_u64(const nlohmann::json& v) noexcept;

// A table's names for messages: "\"a\" or \"b\"", "\"a\", \"b\" or \"c\"".
template <class E, std::size_t N>
std::string quoted_names(const EnumName<E> (&table)[N]) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += '"';
    out += table[i].name;
    out += '"';
  }
  return out;
}

}  // namespace w2v::proto
