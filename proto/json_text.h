#pragma once
// Corpus words are arbitrary bytes; JSON strings must be UTF-8. json_string() returns s when it
// is valid UTF-8 and otherwise replaces each invalid byte with U+FFFD (the Unicode replacement
// character), the convention of WHATWG's decoder; words that are valid UTF-8 (all of a normal
// corpus) pass through unchanged. nlohmann::json's dump() is used with this policy everywhere,
// so serialising a response never throws.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace w2v::proto {

bool is_valid_utf8(std::string_view s) noexcept;
std::string json_string(std::string_view s);
// j.dump() that never throws: invalid UTF-8 left anywhere is replaced, not an error.
std::string dump(const nlohmann::json& j, int indent = -1);

}  // namespace w2v::proto
