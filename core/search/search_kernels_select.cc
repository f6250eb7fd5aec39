// search_kernels(): the table of an instruction set, compiled for the build's baseline.

#include "core/search/search_kernels.h"

namespace w2v {

// Each instruction set's table, defined by its copy of search_kernels.cc.
namespace isa_generic {
extern const SearchKernels kSearchKernels;
}  // namespace isa_generic
#if defined(__x86_64__)
namespace isa_avx2 {
extern const SearchKernels kSearchKernels;
}  // namespace isa_avx2
namespace isa_avx512 {
extern const SearchKernels kSearchKernels;
}  // namespace isa_avx512
#endif

const SearchKernels& search_kernels(Isa isa) noexcept {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::kAvx512:
      return isa_avx512::kSearchKernels;
    case Isa::kAvx2:
      return isa_avx2::kSearchKernels;
#endif
    default:
      break;
  }
  return isa_generic::kSearchKernels;
}

}  // namespace w2v
