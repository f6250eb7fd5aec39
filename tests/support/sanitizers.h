#pragma once
// Whether this test program is built with AddressSanitizer or ThreadSanitizer
// (scripts/sanitizer-build). Both reserve terabytes of address space for their shadow, and ASan
// keeps freed memory in a quarantine (256 MiB by default), so tests that measure or limit a
// process's memory say nothing under them and skip there; the Release suite runs them.

#include "core/base/sanitizers.h"

namespace w2v::testing {

#if defined(W2V_ASAN) || defined(W2V_TSAN)
inline constexpr bool kMemorySanitized = true;
#else
inline constexpr bool kMemorySanitized = false;
#endif

inline constexpr const char* kMemoryMeasureUnderSanitizer =
    "measures or limits memory, which a sanitizer's shadow memory and quarantine distort";

}  // namespace w2v::testing
