#include "core/base/isa.h"

#include <atomic>
#include <stdexcept>

#include "core/base/enum_names.h"

namespace w2v {
namespace {

constexpr EnumName<Isa> kIsaNames[] = {
    {Isa::kGeneric, "generic"},
    {Isa::kAvx2, "avx2"},
    {Isa::kAvx512, "avx512"},
};

#if defined(__x86_64__)
constexpr Isa kCompiled[] = {Isa::kGeneric, Isa::kAvx2, Isa::kAvx512};
#else
constexpr Isa kCompiled[] = {Isa::kGeneric};
#endif

bool is_compiled(Isa isa) noexcept {
  for (Isa c : kCompiled)
    if (c == isa) return true;
  return false;
}

std::atomic<Isa>& active() noexcept {
  static std::atomic<Isa> isa{best_isa()};
  return isa;
}

}  // namespace

std::string_view to_string(Isa isa) noexcept {
  return name_of(kIsaNames, isa);
}

std::optional<Isa> parse_isa(std::string_view name) noexcept {
  return value_of(kIsaNames, name);
}

std::string_view describe(Isa isa) noexcept {
  switch (isa) {
    case Isa::kAvx512:
      return "AVX-512 F/BW/CD/DQ/VL (x86-64-v4)";
    case Isa::kAvx2:
      return "AVX2 and FMA (x86-64-v3)";
    case Isa::kGeneric:
      break;
  }
#if defined(__aarch64__)
  return "NEON (the armv8-a baseline)";
#else
  return "portable code for the build's baseline";
#endif
}

std::span<const Isa> compiled_isas() noexcept {
  return kCompiled;
}

bool cpu_supports(Isa isa) noexcept {
  if (!is_compiled(isa)) return false;
#if defined(__x86_64__)
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && cpu_supports(Isa::kAvx2);
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             __builtin_cpu_supports("bmi2");
    case Isa::kGeneric:
      break;
  }
#endif
  return isa == Isa::kGeneric;
}

Isa best_isa() noexcept {
  Isa best = Isa::kGeneric;
  for (Isa c : kCompiled)
    if (cpu_supports(c)) best = c;
  return best;
}

Isa active_isa() noexcept {
  return active().load(std::memory_order_relaxed);
}

void set_active_isa(Isa isa) {
  if (!is_compiled(isa)) {
    throw std::invalid_argument("this w2vd has no " + std::string(to_string(isa)) +
                                " kernels (it was built for another architecture)");
  }
  if (!cpu_supports(isa)) {
    throw std::invalid_argument("this CPU cannot run the " + std::string(to_string(isa)) +
                                " kernels: they need " + std::string(describe(isa)) +
                                "; the best it runs is " + std::string(to_string(best_isa())));
  }
  active().store(isa, std::memory_order_relaxed);
}

std::optional<std::string> select_isa(const char* w2vd_isa) {
  if (w2vd_isa == nullptr || *w2vd_isa == '\0') {
    active().store(best_isa(), std::memory_order_relaxed);
    return std::nullopt;
  }
  const auto isa = parse_isa(w2vd_isa);
  if (!isa) {
    return "W2VD_ISA: unknown instruction set '" + std::string(w2vd_isa) +
           "'; choose generic, avx2 or avx512 (or leave it unset for the best this CPU runs)";
  }
  try {
    set_active_isa(*isa);
  } catch (const std::invalid_argument& e) {
    return "W2VD_ISA=" + std::string(w2vd_isa) + ": " + e.what();
  }
  return std::nullopt;
}

}  // namespace w2v
