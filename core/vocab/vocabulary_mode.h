#pragma once
// What continued training does with a parent model's vocabulary (docs/api.md, "Continued
// training"). Apart from the engine, so that the API's request types (and the client) can name
// it without the engine's dependencies.

#include <optional>
#include <string_view>

namespace w2v {

// kExtend adds the new corpus's words that reach min_count; kKeep trains the model's words only.
enum class VocabularyMode { kExtend, kKeep };

inline std::string_view to_string(VocabularyMode m) noexcept {
  return m == VocabularyMode::kKeep ? "keep" : "extend";
}

inline std::optional<VocabularyMode> parse_vocabulary_mode(std::string_view s) noexcept {
  if (s == "extend") return VocabularyMode::kExtend;
  if (s == "keep") return VocabularyMode::kKeep;
  return std::nullopt;
}

}  // namespace w2v
