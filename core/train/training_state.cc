#include "core/train/training_state.h"

#include <bit>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include "core/base/atomic_file.h"
#include "core/base/checksum.h"
#include "core/base/mapped_file.h"
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

// The subword settings of a version 2 header, checked.
SubwordSettings checked_subwords(const std::string& path, const SubwordHeader& sh) {
  if (sh.maxn < 1 || sh.maxn > static_cast<std::uint32_t>(ParamLimits::maxn.max) || sh.minn < 1 ||
      sh.minn > sh.maxn || sh.bucket < 1 ||
      sh.bucket > static_cast<std::uint64_t>(ParamLimits::bucket.max)) {
    fail_reading(path, "invalid subword settings");
  }
  return {static_cast<int>(sh.minn), static_cast<int>(sh.maxn), sh.bucket};
}

// The vectors a state belongs to: their words in row order and their dimension.
struct Owner {
  std::span<const std::string_view> words;
  std::size_t dim;
};

// Where everything is in a state file whose header was checked against its size (and its owner).
struct Layout {
  LossType loss = LossType::kNegativeSampling;
  SubwordSettings subwords{};
  std::uint64_t words = 0, dim = 0, output_rows = 0, input_rows = 0, checksum = 0;
  std::uint64_t header_bytes = 0;

  std::uint64_t output_at() const noexcept { return header_bytes + words * 8; }
  std::uint64_t input_at() const noexcept { return output_at() + output_rows * dim * 4; }
};

MappedFile map_state(const std::string& path) {
  try {
    return MappedFile(path);
  } catch (const std::system_error&) {
    fail_reading(path, "cannot open it (the model keeps its vectors only)");
  }
}

// The header of the mapped state f, its magic checked, and (version 2) its subword settings,
// checked; header_bytes: the two headers' size.
struct Header {
  StateHeader h{};
  SubwordSettings subwords{};
  std::uint64_t header_bytes = 0;
};
Header read_header(const MappedFile& f) {
  const std::string& path = f.path();
  Header out;
  StateHeader& h = out.h;
  if (f.size() < sizeof h) fail_reading(path, "not a w2vd training state file");
  std::memcpy(&h, f.data(), sizeof h);
  if (std::memcmp(h.magic, kStateMagic, sizeof kStateMagic) != 0) {
    fail_reading(path, "not a w2vd training state file");
  }
  out.header_bytes = sizeof h;
  if (h.version == 2) {
    SubwordHeader sh{};
    if (f.size() < sizeof h + sizeof sh) fail_reading(path, "truncated");
    std::memcpy(&sh, f.data() + sizeof h, sizeof sh);
    out.subwords = checked_subwords(path, sh);
    out.header_bytes += sizeof sh;
  }
  return out;
}

// Checks the header of the mapped state f against its size and, when given, its owner.
Layout read_layout(const MappedFile& f, const Owner* owner) {
  const std::string& path = f.path();
  const Header header = read_header(f);
  const StateHeader& h = header.h;
  if (h.version != 1 && h.version != kTrainingStateVersion) {
    fail_reading(path, "format version " + std::to_string(h.version) +
                           ", this w2vd reads version " + std::to_string(kTrainingStateVersion));
  }
  if (h.loss > 2) fail_reading(path, "unknown loss code " + std::to_string(h.loss));
  Layout l;
  l.loss = h.loss == 0   ? LossType::kNegativeSampling
           : h.loss == 1 ? LossType::kHierarchicalSoftmax
                         : LossType::kSoftmax;
  if (owner != nullptr) {
    if (h.words != owner->words.size() || h.words_hash != vocabulary_hash(owner->words)) {
      fail_reading(path, "it belongs to another vocabulary than the model's vectors");
    }
    if (h.dim != owner->dim) {
      fail_reading(path, "dimension " + std::to_string(h.dim) + ", the vectors have " +
                             std::to_string(owner->dim));
    }
  }
  if (h.output_rows != output_rows(l.loss, h.words)) {
    fail_reading(path, "output rows do not fit the vocabulary and loss");
  }
  l.words = h.words;
  l.dim = h.dim;
  l.output_rows = h.output_rows;
  l.checksum = h.checksum;
  l.header_bytes = header.header_bytes;
  l.subwords = header.subwords;
  if (l.subwords.enabled()) l.input_rows = h.words + l.subwords.bucket;
  const unsigned __int128 need =
      static_cast<unsigned __int128>(l.header_bytes) + static_cast<unsigned __int128>(h.words) * 8 +
      (static_cast<unsigned __int128>(h.output_rows) + l.input_rows) * h.dim * 4;
  if (need != static_cast<unsigned __int128>(f.size())) {
    fail_reading(path, "truncated or overlong (" + std::to_string(f.size()) + " bytes)");
  }
  return l;
}

// The payload's checksum, in the pieces the writer adds: the counts, then row by row.
std::uint64_t mapped_checksum(const MappedFile& f, const Layout& l) {
  Checksum c;
  c.add(f.data() + l.header_bytes, l.words * 8);
  const std::uint64_t row = l.dim * 4;
  const std::uint8_t* p = f.data() + l.output_at();
  for (std::uint64_t r = 0; r < l.output_rows + l.input_rows; ++r, p += row) c.add(p, row);
  return c.value();
}

// Copies rows × dim floats starting at p into a new Matrix.
Matrix copy_rows(const std::uint8_t* p, std::uint64_t rows, std::uint64_t dim) {
  Matrix m(rows, dim);
  for (std::uint64_t r = 0; r < rows; ++r, p += dim * 4) std::memcpy(m.row(r), p, dim * 4);
  return m;
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
  const MappedFile f = map_state(path);
  const Owner owner{words, dim};
  const Layout l = read_layout(f, &owner);
  if (mapped_checksum(f, l) != l.checksum) fail_reading(path, "checksum mismatch");
  TrainingState s;
  s.loss = l.loss;
  s.subwords = l.subwords;
  s.counts.resize(l.words);
  std::memcpy(s.counts.data(), f.data() + l.header_bytes, l.words * 8);
  s.output = copy_rows(f.data() + l.output_at(), l.output_rows, l.dim);
  if (l.input_rows > 0) s.input = copy_rows(f.data() + l.input_at(), l.input_rows, l.dim);
  return s;
}

NgramRows map_ngram_rows(const std::string& path, std::span<const std::string_view> words,
                         std::size_t dim) {
  auto f = std::make_shared<const MappedFile>(map_state(path));
  const Owner owner{words, dim};
  const Layout l = read_layout(*f, &owner);
  NgramRows rows;
  rows.subwords = l.subwords;
  rows.dim = l.dim;
  rows.stride = l.dim;
  if (!l.subwords.enabled()) return rows;
  // The bucket rows follow the words' own rows; every offset is a multiple of 4 from a
  // page-aligned mapping, so the floats are aligned.
  rows.rows = reinterpret_cast<const float*>(f->data() + l.input_at() + l.words * l.dim * 4);
  rows.bytes = l.subwords.bucket * l.dim * 4;
  rows.storage = std::move(f);
  return rows;
}

std::uint64_t verify_training_state(const std::string& path) {
  const MappedFile f = map_state(path);
  const Layout l = read_layout(f, nullptr);
  if (mapped_checksum(f, l) != l.checksum) fail_reading(path, "checksum mismatch");
  return f.size();
}

SubwordSettings training_state_subwords(const std::string& path) {
  std::optional<MappedFile> f;
  try {
    f.emplace(path);
  } catch (const std::system_error&) {
    return {};  // no state: the model keeps its vectors only (an imported model)
  }
  return read_header(*f).subwords;  // disabled for version 1 (and any other but 2)
}

}  // namespace w2v
