// train_kernels(): the table of an instruction set, compiled for the build's baseline.

#include "core/train/train_kernels.h"

namespace w2v {

// Each instruction set's table, defined by its copy of train_kernels.cc.
namespace isa_generic {
extern const TrainKernels kTrainKernels;
}  // namespace isa_generic
#if defined(__x86_64__)
namespace isa_avx2 {
extern const TrainKernels kTrainKernels;
}  // namespace isa_avx2
namespace isa_avx512 {
extern const TrainKernels kTrainKernels;
}  // namespace isa_avx512
#endif

const TrainKernels& train_kernels(Isa isa) noexcept {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::kAvx512:
      return isa_avx512::kTrainKernels;
    case Isa::kAvx2:
      return isa_avx2::kTrainKernels;
#endif
    default:
      break;
  }
  return isa_generic::kTrainKernels;
}

}  // namespace w2v
