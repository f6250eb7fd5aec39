// Writing word2vec vector files (core/io/vectors_io.h).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "core/base/atomic_file.h"
#include "core/io/vectors_bytes.h"
#include "core/io/vectors_io.h"

namespace w2v {
namespace {

using namespace vectors_internal;

void check_savable(std::span<const std::string_view> words, MatrixView vectors) {
  if (words.empty() || words.size() > Limits::max_words || words.size() > vectors.rows()) {
    throw std::invalid_argument("vectors: cannot save " + std::to_string(words.size()) +
                                " words from a matrix of " + std::to_string(vectors.rows()) +
                                " rows");
  }
  if (vectors.cols() < 1 || vectors.cols() > Limits::max_dim) {
    throw std::invalid_argument("vectors: dimension " + std::to_string(vectors.cols()) +
                                " out of range [1, " + std::to_string(Limits::max_dim) + "]");
  }
  for (std::size_t r = 0; r < words.size(); ++r) {
    const std::string_view w = words[r];
    if (w.empty() || w.size() > Limits::max_word_bytes ||
        std::any_of(w.begin(), w.end(), is_whitespace)) {
      throw std::invalid_argument("vectors: " + row_label(r + 1, w) + ": a word must be 1 to " +
                                  std::to_string(Limits::max_word_bytes) +
                                  " bytes without whitespace");
    }
    const auto row = vectors.row_span(r);
    const auto bad =
        std::find_if(row.begin(), row.end(), [](float v) { return !std::isfinite(v); });
    if (bad != row.end()) {
      throw std::invalid_argument("vectors: " + row_label(r + 1, w) + ": value " +
                                  std::to_string(bad - row.begin() + 1) + " is not finite");
    }
  }
}

// Serialises the file into chunks of about kIoBufferBytes and hands each to write(string_view).
template <class Write>
void write_vectors(Write&& write, std::span<const std::string_view> words, MatrixView vectors,
                   VectorsFormat format) {
  check_savable(words, vectors);
  const std::size_t dim = vectors.cols();
  std::string buf = std::to_string(words.size()) + ' ' + std::to_string(dim) + '\n';
  char number[32];
  for (std::size_t r = 0; r < words.size(); ++r) {
    const float* v = vectors.row(r);
    buf.append(words[r]);
    if (format == VectorsFormat::kBinary) {
      buf += ' ';
      const std::size_t at = buf.size();
      buf.resize(at + 4 * dim);
      for (std::size_t k = 0; k < dim; ++k) float_to_le(v[k], buf.data() + at + 4 * k);
    } else {
      for (std::size_t k = 0; k < dim; ++k) {
        buf += ' ';
        const auto res = std::to_chars(number, number + sizeof number, v[k]);  // shortest exact
        buf.append(number, res.ptr);
      }
    }
    buf += '\n';
    if (buf.size() >= kIoBufferBytes) {
      write(std::string_view(buf));
      buf.clear();
    }
  }
  write(std::string_view(buf));
}

}  // namespace

std::string_view to_string(VectorsFormat f) noexcept {
  return f == VectorsFormat::kBinary ? "binary" : "text";
}

std::optional<VectorsFormat> parse_vectors_format(std::string_view s) noexcept {
  if (s == "text") return VectorsFormat::kText;
  if (s == "binary") return VectorsFormat::kBinary;
  return std::nullopt;
}

void save_vectors(std::ostream& out, std::span<const std::string_view> words, MatrixView vectors,
                  VectorsFormat format) {
  write_vectors(
      [&](std::string_view s) {
        out.write(s.data(), static_cast<std::streamsize>(s.size()));
        if (!out) throw std::runtime_error("vectors: cannot write to the output stream");
      },
      words, vectors, format);
  out.flush();
  if (!out) throw std::runtime_error("vectors: cannot write to the output stream");
}

void save_vectors_file(const std::string& path, std::span<const std::string_view> words,
                       MatrixView vectors, VectorsFormat format) {
  AtomicFile file(path);
  write_vectors([&](std::string_view s) { file.write(s); }, words, vectors, format);
  file.commit();
}

}  // namespace w2v
