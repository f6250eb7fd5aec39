#pragma once
// Whether this test program is built with AddressSanitizer (scripts/sanitizer-build asan). ASan
// reserves terabytes of address space for its shadow and keeps freed memory in a quarantine
// (256 MiB by default), so tests that measure or limit a process's memory say nothing under it
// and skip there; the Release suite runs them.

namespace w2v::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

inline constexpr const char* kMemoryMeasureUnderAsan =
    "measures or limits memory, which AddressSanitizer's shadow and quarantine distort";

}  // namespace w2v::testing
