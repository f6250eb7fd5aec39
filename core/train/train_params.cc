#include "core/train/train_params.h"

#include <cstdio>
#include <thread>

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

namespace {

template <class T>
std::optional<std::string> check(std::string_view name, T v, Range<T> r, const char* kind) {
  if (r.contains(v)) return std::nullopt;
  return std::string(name) + " must be " + kind + " in [" + std::to_string(r.min) + ", " +
         std::to_string(r.max) + "], got " + std::to_string(v);
}

std::optional<std::string> check_real(std::string_view name, double v, Range<double> r) {
  if (r.contains(v)) return std::nullopt;
  auto fmt = [](double x) {
    std::string s = std::to_string(x);
    if (x != 0 && (x < 1e-3 || x >= 1e6)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", x);
      s = buf;
    }
    return s;
  };
  return std::string(name) + " must be a number in [" + fmt(r.min) + ", " + fmt(r.max) + "], got " +
         fmt(v);
}

}  // namespace

std::optional<std::string> validate(const TrainParams& p) {
  using L = ParamLimits;
  if (auto e = check("dim", p.dim, L::dim, "an integer")) return e;
  if (auto e = check("window", p.window, L::window, "an integer")) return e;
  if (auto e = check("negative", p.negative, L::negative, "an integer")) return e;
  if (auto e = check("min_count", p.min_count, L::min_count, "an integer")) return e;
  if (auto e = check("max_vocab", p.max_vocab, L::max_vocab, "an integer")) return e;
  if (auto e = check_real("sample", p.sample, L::sample)) return e;
  if (auto e = check("epochs", p.epochs, L::epochs, "an integer")) return e;
  if (p.alpha != 0) {
    if (auto e = check_real("alpha", p.alpha, L::alpha)) return e;
  }
  if (auto e = check("threads", p.threads, L::threads, "an integer")) return e;
  return std::nullopt;
}

}  // namespace w2v
