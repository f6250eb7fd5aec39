#pragma once
// Whether this test program is built with AddressSanitizer or ThreadSanitizer
// (scripts/sanitizer-build). Both reserve terabytes of address space for their shadow, and ASan
// keeps freed memory in a quarantine (256 MiB by default), so tests that measure or limit a
// process's memory say nothing under them and skip there; the Release suite runs them.

namespace w2v::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kMemorySanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kMemorySanitized = true;
#else
inline constexpr bool kMemorySanitized = false;
#endif
#else
inline constexpr bool kMemorySanitized = false;
#endif

inline constexpr const char* kMemoryMeasureUnderSanitizer =
    "measures or limits memory, which a sanitizer's shadow memory and quarantine distort";

}  // namespace w2v::testing
