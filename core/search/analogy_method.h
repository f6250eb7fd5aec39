#pragma once
// How an analogy a : b :: c : ? is answered (docs/math.md §10): 3CosAdd (word2vec, gensim) or
// 3CosMul (Levy & Goldberg). Apart from the engine, so that the API's request types (and the
// client) can name it without the engine's dependencies.

#include "core/base/enum_names.h"

namespace w2v {

enum class AnalogyMethod { kAdd, kMul };

inline constexpr EnumName<AnalogyMethod> kAnalogyMethodNames[] = {
    {AnalogyMethod::kAdd, "add"},
    {AnalogyMethod::kMul, "mul"},
};

}  // namespace w2v
