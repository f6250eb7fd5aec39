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
struct SubwordHeader {
  std::uint32_t minn, maxn;
  std::uint64_t bucket;
};
static_assert(sizeof(SubwordHeader) == 16);

std::uint64_t payload_checksum(const std::vector<std::uint64_t>& counts, const Matrix& output,
                               const Matrix& input) {
  Checksum c;
  c.add(counts.data(), counts.size() * sizeof(std::uint64_t));
  for (std::size_t r = 0; r < output.rows(); ++r) c.add(output.row(r), output.cols() * 4);
  for (std::size_t r = 0; r < input.rows(); ++r) c.add(input.row(r), input.cols() * 4);
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

// The subword settings after a version 2 header, checked.
SubwordSettings read_subword_header(const std::string& path, std::FILE* f) {
  SubwordHeader sh{};
  if (std::fread(&sh, sizeof sh, 1, f) != 1) fail_reading(path, "truncated");
  if (sh.maxn < 1 || sh.maxn > static_cast<std::uint32_t>(ParamLimits::maxn.max) || sh.minn < 1 ||
      sh.minn > sh.maxn || sh.bucket < 1 ||
      sh.bucket > static_cast<std::uint64_t>(ParamLimits::bucket.max)) {
    fail_reading(path, "invalid subword settings");
  }
  return {static_cast<int>(sh.minn), static_cast<int>(sh.maxn), sh.bucket};
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
                         const TrainingState& state, const Matrix* input) {
  const Matrix& input_rows = input != nullptr ? *input : state.input;
  if (state.counts.size() != words.size() ||
      state.output.rows() != output_rows(state.loss, words.size())) {
    throw std::invalid_argument("training state: counts or output rows do not fit the words");
  }
  const bool subwords = state.subwords.enabled();
  if (subwords && (input_rows.rows() != words.size() + state.subwords.bucket ||
                   input_rows.cols() != state.output.cols())) {
    throw std::invalid_argument("training state: input rows do not fit the words and buckets");
  }
  StateHeader h{};
  std::memcpy(h.magic, kStateMagic, sizeof kStateMagic);
  h.version = subwords ? 2 : 1;
  h.loss = loss_code(state.loss);
  h.words = words.size();
  h.dim = state.output.cols();
  h.output_rows = state.output.rows();
  h.words_hash = vocabulary_hash(words);
  static const Matrix kNoRows;
  h.checksum = payload_checksum(state.counts, state.output, subwords ? input_rows : kNoRows);
  AtomicFile f(path);
  f.write(&h, sizeof h);
  if (subwords) {
    const SubwordHeader sh{static_cast<std::uint32_t>(state.subwords.minn),
                           static_cast<std::uint32_t>(state.subwords.maxn), state.subwords.bucket};
    f.write(&sh, sizeof sh);
  }
  f.write(state.counts.data(), state.counts.size() * sizeof(std::uint64_t));
  for (std::size_t r = 0; r < state.output.rows(); ++r) {
    f.write(state.output.row(r), state.output.cols() * sizeof(float));
  }
  for (std::size_t r = 0; subwords && r < input_rows.rows(); ++r) {
    f.write(input_rows.row(r), input_rows.cols() * sizeof(float));
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
  if (h.version != 1 && h.version != kTrainingStateVersion) {
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
  std::uint64_t input_rows = 0;
  if (h.version == 2) {
    s.subwords = read_subword_header(path, f.get());
    input_rows = h.words + s.subwords.bucket;
  }
  const long header_bytes =
      static_cast<long>(sizeof h + (h.version == 2 ? sizeof(SubwordHeader) : 0));
  std::fseek(f.get(), 0, SEEK_END);
  const long size = std::ftell(f.get());
  std::fseek(f.get(), header_bytes, SEEK_SET);
  const unsigned __int128 need =
      static_cast<unsigned __int128>(header_bytes) + static_cast<unsigned __int128>(h.words) * 8 +
      (static_cast<unsigned __int128>(h.output_rows) + input_rows) * h.dim * 4;
  if (size < 0 || need != static_cast<unsigned __int128>(size)) {
    fail_reading(path, "truncated or overlong (" + std::to_string(size) + " bytes)");
  }
  s.counts.resize(h.words);
  s.output = Matrix(h.output_rows, h.dim);
  bool ok = std::fread(s.counts.data(), sizeof(std::uint64_t), h.words, f.get()) == h.words;
  for (std::size_t r = 0; ok && r < s.output.rows(); ++r) {
    ok = std::fread(s.output.row(r), sizeof(float), h.dim, f.get()) == h.dim;
  }
  if (input_rows > 0) s.input = Matrix(input_rows, h.dim);
  for (std::size_t r = 0; ok && r < s.input.rows(); ++r) {
    ok = std::fread(s.input.row(r), sizeof(float), h.dim, f.get()) == h.dim;
  }
  if (!ok) fail_reading(path, "read error");
  if (payload_checksum(s.counts, s.output, s.input) != h.checksum) {
    fail_reading(path, "checksum mismatch");
  }
  return s;
}

SubwordSettings training_state_subwords(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return {};  // no state: the model keeps its vectors only (an imported model)
  StateHeader h{};
  if (std::fread(&h, sizeof h, 1, f.get()) != 1 ||
      std::memcmp(h.magic, kStateMagic, sizeof kStateMagic) != 0) {
    fail_reading(path, "not a w2vd training state file");
  }
  if (h.version != 2) return {};
  return read_subword_header(path, f.get());
}

}  // namespace w2v
