#pragma once
// The table of what core/search compiles once per instruction set (core/base/isa.h): the float
// scans of exact search, the distance of the HNSW graph, the selection of the 8-bit scan's
// candidates and its portable kernel. The 8-bit scan's AVX2 and VNNI kernels are chosen by the
// same active instruction set (quantized_rows.h).
//
// search_kernels.cc is the unit compiled once per instruction set; each copy defines its table
// in its own namespace (core/base/isa_namespace.h), and search_kernels(isa) picks one.

#include <cstddef>
#include <cstdint>

#include "core/base/isa.h"

namespace w2v {

struct SearchKernels {
  Isa isa;
  // a · b over n floats.
  float (*dot)(const float* a, const float* b, std::size_t n) noexcept;
  // out[i] = (row i · q) · scale[i] for the n rows of `stride` floats at rows (64-byte aligned,
  // stride a multiple of 16), q of stride floats.
  void (*score_rows)(const float* rows, std::size_t stride, std::size_t n, const float* q,
                     const float* scale, float* out) noexcept;
  // Writes the indices i < n with s[i] > bar to out, in increasing order; returns how many.
  // s holds n floats, 64-byte aligned, n a multiple of 16 (the 8-bit scan's blocks).
  std::size_t (*select_above)(const float* s, std::size_t n, float bar,
                              std::uint32_t* out) noexcept;
  // The 8-bit scan's portable kernel (quantized_rows.h): for each of `blocks` blocks of 16 rows
  // of `groups` groups of 4 codes at codes, out[r] = (row r's codes · query_codes) · scales[r] ·
  // query_scale. Exact integer sums: every kernel of the scan gives the same scores.
  void (*score_int8)(const std::int8_t* codes, std::size_t groups, const float* scales,
                     std::size_t blocks, const std::int8_t* query_codes, float query_scale,
                     float* out) noexcept;
  // hnswlib's distance function (DISTFUNC) for unit vectors: 1 − a·b over *(size_t*)dim floats.
  float (*unit_dot_distance)(const void* a, const void* b, const void* dim);
};

// The table of isa, which must be one of compiled_isas(); the active one by default.
const SearchKernels& search_kernels(Isa isa = active_isa()) noexcept;

}  // namespace w2v
