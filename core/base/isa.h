#pragma once
// The instruction sets w2vd's kernels are compiled for, which of them this CPU can run, and the
// one the process uses.
//
// The training and search kernels are compiled once per instruction set into one binary
// (core/dispatch/), each copy in its own namespace (core/base/isa_namespace.h), and every call
// goes through the table of the active instruction set. It is chosen once at start: the best the
// CPU runs, or a lower one asked for with the environment variable W2VD_ISA, for comparisons and
// tests. Changing it while kernels run is allowed (a call uses the table it started with) but
// only tests and benchmarks do.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace w2v {

// In increasing order of what they need: each runs wherever the next one does.
enum class Isa {
  kGeneric,  // portable C++ vectorised by the compiler for the baseline: SSE2 on x86-64, NEON on
             // ARM
  kAvx2,     // AVX2 and FMA: x86-64-v3 (Intel since Haswell, AMD since Zen)
  kAvx512,   // AVX-512 F, BW, CD, DQ and VL: x86-64-v4 (Intel Skylake-SP and later, AMD Zen 4)
};

// "generic", "avx2", "avx512": the names W2VD_ISA, logs, /healthz and --version use.
std::string_view to_string(Isa isa) noexcept;
std::optional<Isa> parse_isa(std::string_view name) noexcept;
// What the instruction set is, in words, for messages.
std::string_view describe(Isa isa) noexcept;

// The instruction sets this binary has kernels for (generic only, off x86-64), in increasing
// order.
std::span<const Isa> compiled_isas() noexcept;
// Whether this CPU (and operating system: AVX state saved on context switch) runs isa's kernels.
bool cpu_supports(Isa isa) noexcept;
// The best instruction set that is both compiled and supported: the default.
Isa best_isa() noexcept;

// The instruction set the kernels use now.
Isa active_isa() noexcept;
// Makes isa the active one. Throws std::invalid_argument, naming what the CPU lacks, when this
// binary has no kernels for it or the CPU cannot run them.
void set_active_isa(Isa isa);
// Chooses the active instruction set from W2VD_ISA's value (unset or empty: the best). Returns
// an error message that names the variable, the value and the choices when the value is unknown
// or the CPU cannot run it; the active set is then unchanged.
std::optional<std::string> select_isa(const char* w2vd_isa);

}  // namespace w2v
