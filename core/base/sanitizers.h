#pragma once
// Which sanitizer this translation unit is built with (scripts/sanitizer-build), for GCC
// (__SANITIZE_*__) and clang (__has_feature): W2V_ASAN for AddressSanitizer, W2V_TSAN for
// ThreadSanitizer. Undefined otherwise.

#if defined(__SANITIZE_ADDRESS__)
#define W2V_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define W2V_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define W2V_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define W2V_TSAN 1
#endif
#endif
