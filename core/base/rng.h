#pragma once
// Small fast random number generator for the training threads: xoshiro256+ seeded through
// splitmix64. Each worker owns one; nothing is shared.

#include <cstdint>

namespace w2v {

inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& s : s_) s = splitmix64(seed);
  }
  // A generator for one stream of a seed (e.g. one worker of one epoch).
  Rng(std::uint64_t seed, std::uint64_t stream) noexcept
      : Rng(seed ^ (0xd1b54a32d192ed03ull * (stream + 1))) {}

  std::uint64_t next() noexcept {
    const std::uint64_t result = s_[0] + s_[3];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 45) | (s_[3] >> 19);
    return result;
  }
  std::uint32_t next32() noexcept { return static_cast<std::uint32_t>(next() >> 32); }
  // Uniform in [0, n) (multiply-shift; bias below 2^-32 · n).
  std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next32()) * n) >> 32);
  }
  // Uniform in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t s_[4];
};

}  // namespace w2v
