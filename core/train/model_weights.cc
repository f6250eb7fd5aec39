#include "core/train/model_weights.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/base/atomic_file.h"

namespace w2v {
namespace {

constexpr char kCheckpointMagic[8] = {'W', '2', 'V', 'C', 'K', 'P', 'T', '1'};
struct CheckpointHeader {
  char magic[8];
  std::uint64_t epochs_done;
  std::uint64_t input_rows, input_cols, output_rows, output_cols;
};

void write_matrix(AtomicFile& f, const Matrix& m) {
  for (std::size_t r = 0; r < m.rows(); ++r) f.write(m.row(r), m.cols() * sizeof(float));
}

void read_matrix(std::FILE* f, Matrix& m, const std::string& path) {
  for (std::size_t r = 0; r < m.rows(); ++r) {
    if (std::fread(m.row(r), sizeof(float), m.cols(), f) != m.cols()) {
      throw std::runtime_error("checkpoint " + path + " is truncated");
    }
  }
}

}  // namespace

std::size_t output_rows(LossType loss, std::size_t vocab_size) noexcept {
  if (loss == LossType::kHierarchicalSoftmax) return vocab_size > 1 ? vocab_size - 1 : 1;
  return vocab_size;
}

ModelWeights make_initial_weights(std::size_t vocab_size, const TrainParams& params) {
  const auto dim = static_cast<std::size_t>(params.dim);
  ModelWeights w{Matrix(params.input_rows(vocab_size), dim),
                 Matrix(output_rows(params.loss, vocab_size), dim)};
  const float bound = (params.subwords() ? 1.0f : 0.5f) / static_cast<float>(dim);
  w.input.fill_uniform(-bound, bound, params.seed);
  return w;
}

void save_checkpoint(const std::string& path, const ModelWeights& weights, int epochs_done) {
  CheckpointHeader h{};
  std::memcpy(h.magic, kCheckpointMagic, sizeof kCheckpointMagic);
  h.epochs_done = static_cast<std::uint64_t>(epochs_done);
  h.input_rows = weights.input.rows();
  h.input_cols = weights.input.cols();
  h.output_rows = weights.output.rows();
  h.output_cols = weights.output.cols();
  AtomicFile f(path);
  f.write(&h, sizeof h);
  write_matrix(f, weights.input);
  write_matrix(f, weights.output);
  f.commit();
}

Checkpoint load_checkpoint(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot open checkpoint " + path);
  CheckpointHeader h{};
  if (std::fread(&h, sizeof h, 1, f.get()) != 1 ||
      std::memcmp(h.magic, kCheckpointMagic, sizeof kCheckpointMagic) != 0) {
    throw std::runtime_error(path + " is not a checkpoint");
  }
  std::fseek(f.get(), 0, SEEK_END);
  const long size = std::ftell(f.get());
  std::fseek(f.get(), sizeof h, SEEK_SET);
  const unsigned __int128 need =
      sizeof h + (static_cast<unsigned __int128>(h.input_rows) * h.input_cols +
                  static_cast<unsigned __int128>(h.output_rows) * h.output_cols) *
                     sizeof(float);
  // No job has more epochs or a wider dimension than ParamLimits allows: larger values are
  // corruption (an epoch count that reads as a negative int; with 0 columns, a size check that
  // any row count passes, and a read loop over 2^64 empty rows).
  const auto max_dim = static_cast<std::uint64_t>(ParamLimits::dim.max);
  if (size < 0 || need != static_cast<unsigned __int128>(size) || h.input_cols != h.output_cols ||
      h.input_cols < 1 || h.input_cols > max_dim ||
      h.epochs_done > static_cast<std::uint64_t>(ParamLimits::epochs.max)) {
    throw std::runtime_error("checkpoint " + path + " is truncated or inconsistent");
  }
  Checkpoint c{
      ModelWeights{Matrix(h.input_rows, h.input_cols), Matrix(h.output_rows, h.output_cols)},
      static_cast<int>(h.epochs_done)};
  read_matrix(f.get(), c.weights.input, path);
  read_matrix(f.get(), c.weights.output, path);
  return c;
}

}  // namespace w2v
