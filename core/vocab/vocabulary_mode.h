#pragma once
// What continued training does with a parent model's vocabulary (docs/api.md, "Continued
// training"). Apart from the engine, so that the API's request types (and the client) can name
// it without the engine's dependencies.

#include <optional>
#include <string_view>

#include "core/base/enum_names.h"

namespace w2v {

// kExtend adds the new corpus's words that reach min_count; kKeep trains the model's words only.
enum class VocabularyMode { kExtend, kKeep };

inline constexpr EnumName<VocabularyMode> kVocabularyModeNames[] = {
    {VocabularyMode::kExtend, "extend"},
    {VocabularyMode::kKeep, "keep"},
};

inline std::string_view to_string(VocabularyMode m) noexcept {
  return name_of(kVocabularyModeNames, m);
}

inline std::optional<VocabularyMode> parse_vocabulary_mode(std::string_view s) noexcept {
  return value_of(kVocabularyModeNames, s);
}

}  // namespace w2v
