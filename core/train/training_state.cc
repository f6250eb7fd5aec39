#include "core/train/training_state.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/base/atomic_file.h"
#include "core/base/checksum.h"
#include "core/train/model_weights.h"

namespace w2v {
namespace {

static_assert(std::endian::native == std::endian::little, "the file format is little-endian");

constexpr char kStateMagic[8] = {'W', '2', 'V', 'D', 'T', 'R', 'S', 'T'};

struct StateHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t loss;
  std::uint64_t words, dim, output_rows, words_hash, checksum;
};
static_assert(sizeof(StateHeader) == 56);

std::uint64_t payload_checksum(const std::vector<std::uint64_t>& counts, const Matrix& output) {
  Checksum c;
  c.add(counts.data(), counts.size() * sizeof(std::uint64_t));
  for (std::size_t r = 0; r < output.rows(); ++r) c.add(output.row(r), output.cols() * 4);
  return c.value();
}

std::uint32_t loss_code(LossType l) noexcept {
  switch (l) {
    case LossType::kNegativeSampling:
      return 0;
    case LossType::kHierarchicalSoftmax:
      return 1;
    case LossType::kSoftmax:
      break;
  }
  return 2;
}

[[noreturn]] void fail_reading(const std::string& path, const std::string& why) {
  throw TrainingStateError("training state " + path + ": " + why);
}

}  // namespace

std::uint64_t vocabulary_hash(std::span<const std::string_view> words) noexcept {
  Checksum c;
  for (const std::string_view w : words) {
    c.add(w.data(), w.size());
    c.add("\n", 1);  // words hold no whitespace: the separator keeps the hash unambiguous
  }
  return c.value();
}

void save_training_state(const std::string& path, std::span<const std::string_view> words,
                         const TrainingState& state) {
  if (state.counts.size() != words.size() ||
      state.output.rows() != output_rows(state.loss, words.size())) {
    throw std::invalid_argument("training state: counts or output rows do not fit the words");
  }
  StateHeader h{};
  std::memcpy(h.magic, kStateMagic, sizeof kStateMagic);
  h.version = kTrainingStateVersion;
  h.loss = loss_code(state.loss);
  h.words = words.size();
  h.dim = state.output.cols();
  h.output_rows = state.output.rows();
  h.words_hash = vocabulary_hash(words);
  h.checksum = payload_checksum(state.counts, state.output);
  AtomicFile f(path);
  f.write(&h, sizeof h);
  f.write(state.counts.data(), state.counts.size() * sizeof(std::uint64_t));
  for (std::size_t r = 0; r < state.output.rows(); ++r) {
    f.write(state.output.row(r), state.output.cols() * sizeof(float));
  }
  f.commit();
}

TrainingState load_training_state(const std::string& path, std::span<const std::string_view> words,
                                  std::size_t dim) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail_reading(path, "cannot open it (the model keeps its vectors only)");
  StateHeader h{};
  if (std::fread(&h, sizeof h, 1, f.get()) != 1 ||
      std::memcmp(h.magic, kStateMagic, sizeof kStateMagic) != 0) {
    fail_reading(path, "not a w2vd training state file");
  }
  if (h.version != kTrainingStateVersion) {
    fail_reading(path, "format version " + std::to_string(h.version) +
                           ", this w2vd reads version " + std::to_string(kTrainingStateVersion));
  }
  if (h.loss > 2) fail_reading(path, "unknown loss code " + std::to_string(h.loss));
  TrainingState s;
  s.loss = h.loss == 0   ? LossType::kNegativeSampling
           : h.loss == 1 ? LossType::kHierarchicalSoftmax
                         : LossType::kSoftmax;
  if (h.words != words.size() || h.words_hash != vocabulary_hash(words)) {
    fail_reading(path, "it belongs to another vocabulary than the model's vectors");
  }
  if (h.dim != dim) {
    fail_reading(
        path, "dimension " + std::to_string(h.dim) + ", the vectors have " + std::to_string(dim));
  }
  if (h.output_rows != output_rows(s.loss, words.size())) {
    fail_reading(path, "output rows do not fit the vocabulary and loss");
  }
  std::fseek(f.get(), 0, SEEK_END);
  const long size = std::ftell(f.get());
  std::fseek(f.get(), sizeof h, SEEK_SET);
  const unsigned __int128 need = sizeof h + static_cast<unsigned __int128>(h.words) * 8 +
                                 static_cast<unsigned __int128>(h.output_rows) * h.dim * 4;
  if (size < 0 || need != static_cast<unsigned __int128>(size)) {
    fail_reading(path, "truncated or overlong (" + std::to_string(size) + " bytes)");
  }
  s.counts.resize(h.words);
  s.output = Matrix(h.output_rows, h.dim);
  bool ok = std::fread(s.counts.data(), sizeof(std::uint64_t), h.words, f.get()) == h.words;
  for (std::size_t r = 0; ok && r < s.output.rows(); ++r) {
    ok = std::fread(s.output.row(r), sizeof(float), h.dim, f.get()) == h.dim;
  }
  if (!ok) fail_reading(path, "read error");
  if (payload_checksum(s.counts, s.output) != h.checksum) fail_reading(path, "checksum mismatch");
  return s;
}

}  // namespace w2v
