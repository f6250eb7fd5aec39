#pragma once
// Running a test once per instruction set this machine runs (core/base/isa.h): the sets as
// gtest parameters, their names for test names, and a scope that makes one of them the active
// set and restores the previous one after.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/isa.h"

namespace w2v::testing {

// The compiled instruction sets this CPU runs, in increasing order: on an AVX-512 machine
// generic, avx2 and avx512; on an AVX2 one generic and avx2.
inline std::vector<Isa> runnable_isas() {
  std::vector<Isa> out;
  for (Isa isa : compiled_isas())
    if (cpu_supports(isa)) out.push_back(isa);
  return out;
}

inline std::string isa_test_name(const ::testing::TestParamInfo<Isa>& info) {
  return std::string(to_string(info.param));
}

class ScopedIsa {
 public:
  explicit ScopedIsa(Isa isa) : previous_(active_isa()) { set_active_isa(isa); }
  ~ScopedIsa() { set_active_isa(previous_); }
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  Isa previous_;
};

}  // namespace w2v::testing

// INSTANTIATE_TEST_SUITE_P over runnable_isas(), named after each set.
#define W2V_INSTANTIATE_FOR_EACH_ISA(suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(Isa, suite, ::testing::ValuesIn(::w2v::testing::runnable_isas()), \
                           ::w2v::testing::isa_test_name)
