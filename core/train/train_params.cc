#include "core/train/train_params.h"

#include <thread>

#include "core/train/param_table.h"

namespace w2v {

std::string_view to_string(ModelType m) noexcept {
  return name_of(kModelNames, m);
}
std::string_view to_string(LossType l) noexcept {
  return name_of(kLossNames, l);
}
std::string_view to_string(KernelType k) noexcept {
  return name_of(kKernelNames, k);
}
std::optional<ModelType> parse_model_type(std::string_view s) noexcept {
  return value_of(kModelNames, s);
}
std::optional<LossType> parse_loss_type(std::string_view s) noexcept {
  return value_of(kLossNames, s);
}
std::optional<KernelType> parse_kernel_type(std::string_view s) noexcept {
  return value_of(kKernelNames, s);
}

double TrainParams::effective_alpha() const noexcept {
  if (alpha > 0) return alpha;
  return model == ModelType::kCbow ? 0.05 : 0.025;
}

KernelType TrainParams::effective_kernel() const noexcept {
  if (loss != LossType::kNegativeSampling) return KernelType::kPair;
  if (kernel == KernelType::kAuto) {
    return model == ModelType::kSkipgram ? KernelType::kBatch : KernelType::kPair;
  }
  return kernel;
}

int TrainParams::effective_threads() const noexcept {
  if (threads > 0) return threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::optional<std::string> validate(const TrainParams& p) {
  for (const ParamSpec& s : kParams) {
    if (auto error = check_param(s, s.get(p))) return error;
  }
  return cross_check(p);
}

std::optional<std::string> cross_check(const TrainParams& p) {
  if (!p.subwords()) return std::nullopt;
  if (p.minn > p.maxn) {
    return "minn must be at most maxn (" + std::to_string(p.maxn) + ") when subwords are on, got " +
           std::to_string(p.minn) + " (maxn 0 turns subwords off)";
  }
  if (p.model == ModelType::kCbow && p.kernel == KernelType::kBatch) {
    return std::string(
        "kernel batch is not available for cbow with subwords (maxn > 0); use pair or auto");
  }
  return std::nullopt;
}

}  // namespace w2v
