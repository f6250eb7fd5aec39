#include "core/io/fasttext_bin.h"

#include <cmath>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <unordered_set>

#include "core/base/atomic_file.h"
#include "core/io/vectors_bytes.h"
#include "core/io/vectors_input.h"

namespace w2v {

namespace {

using vectors_internal::fail;
using vectors_internal::Input;
using vectors_internal::InputFile;
using vectors_internal::quote;

constexpr std::int32_t kMagic = 793712314;
constexpr std::int32_t kVersion = 12;
constexpr std::int32_t kOldestVersion = 11;
constexpr std::uint64_t kEntryTailBytes = 8 + 1;      // count, type
constexpr std::uint64_t kMatrixHeaderBytes = 1 + 16;  // quantised flag, rows, cols

// Little-endian values from the input, each one failing with what was being read.
class Reader {
 public:
  explicit Reader(Input& in) : in_(in) {}

  template <class T>
  T value(const char* what) {
    unsigned char bytes[sizeof(T)];
    if (in_.read(reinterpret_cast<char*>(bytes), sizeof bytes) != sizeof bytes) {
      fail(std::string("truncated: the file ends in ") + what + " (byte " +
           std::to_string(in_.offset()) + ")");
    }
    T v;
    std::memcpy(&v, bytes, sizeof v);  // little-endian machines only (see the header)
    return v;
  }
  std::uint64_t remaining() const noexcept { return in_.remaining_limit(); }
  std::uint64_t offset() const noexcept { return in_.offset(); }
  Input& input() noexcept { return in_; }

 private:
  Input& in_;
};

void check_range(const char* what, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi) {
    fail(std::string(what) + " " + std::to_string(v) + " out of range [" + std::to_string(lo) +
         ", " + std::to_string(hi) + "]");
  }
}

FastTextArgs read_args(Reader& r) {
  const auto magic = r.value<std::int32_t>("the magic number");
  if (magic != kMagic) {
    fail("not a fastText model: magic number " + std::to_string(magic) + ", expected " +
         std::to_string(kMagic));
  }
  const auto version = r.value<std::int32_t>("the version");
  if (version < kOldestVersion || version > kVersion) {
    fail("fastText file version " + std::to_string(version) + " is not supported (" +
         std::to_string(kOldestVersion) + " to " + std::to_string(kVersion) + ")");
  }
  FastTextArgs a;
  for (std::int32_t* field : {&a.dim, &a.ws, &a.epoch, &a.min_count, &a.neg, &a.word_ngrams,
                              &a.loss, &a.model, &a.bucket, &a.minn, &a.maxn, &a.lr_update_rate}) {
    *field = r.value<std::int32_t>("the arguments");
  }
  a.t = r.value<double>("the arguments");
  if (a.model == FastTextArgs::kModelSupervised) {
    fail("a supervised fastText model (a classifier) has no word vectors to serve");
  }
  if (a.model != FastTextArgs::kModelCbow && a.model != FastTextArgs::kModelSkipgram) {
    fail("unknown fastText model kind " + std::to_string(a.model));
  }
  if (a.loss < FastTextArgs::kLossHs || a.loss > FastTextArgs::kLossSoftmax) {
    fail("fastText loss " + std::to_string(a.loss) + " is not one of hs (1), ns (2), softmax (3)");
  }
  check_range("dimension", a.dim, 1, FastTextLimits::max_dim);
  check_range("bucket", a.bucket, 0, FastTextLimits::max_bucket);
  check_range("maxn", a.maxn, 0, FastTextLimits::max_ngram);
  check_range("minn", a.minn, a.maxn > 0 ? 1 : 0, a.maxn > 0 ? a.maxn : FastTextLimits::max_ngram);
  if (a.maxn > 0 && a.bucket == 0) fail("maxn " + std::to_string(a.maxn) + " with bucket 0");
  if (!std::isfinite(a.t)) fail("the sampling threshold t is not finite");
  return a;
}

void read_dictionary(Reader& r, const FastTextArgs& args, FastTextModel& m) {
  const auto size = r.value<std::int32_t>("the dictionary");
  const auto nwords = r.value<std::int32_t>("the dictionary");
  const auto nlabels = r.value<std::int32_t>("the dictionary");
  m.ntokens = r.value<std::int64_t>("the dictionary");
  const auto prune_size = r.value<std::int64_t>("the dictionary");
  if (nlabels != 0) {
    fail("a supervised fastText model (" + std::to_string(nlabels) +
         " labels) has no word vectors to serve");
  }
  check_range("word count", nwords, 1, FastTextLimits::max_words);
  if (size != nwords) {
    fail("dictionary size " + std::to_string(size) + " differs from its word count " +
         std::to_string(nwords));
  }
  if (prune_size > 0) fail("a pruned (quantised) fastText model is not supported");
  check_range("token count", m.ntokens, 0, INT64_MAX);
  // Before anything grows with it: every entry takes at least two bytes and its tail, and the
  // matrices that follow take their floats.
  const std::uint64_t floats =
      (static_cast<std::uint64_t>(nwords) * 2 + static_cast<std::uint64_t>(args.bucket)) *
      static_cast<std::uint64_t>(args.dim);
  const std::uint64_t need = static_cast<std::uint64_t>(nwords) * (2 + kEntryTailBytes) +
                             2 * kMatrixHeaderBytes + floats * sizeof(float);
  if (need > r.remaining()) {
    fail("truncated or lying header: " + std::to_string(nwords) + " words, bucket " +
         std::to_string(args.bucket) + " and dimension " + std::to_string(args.dim) +
         " need at least " + std::to_string(need) + " more bytes, the file has " +
         std::to_string(r.remaining()));
  }
  m.words.reserve(static_cast<std::size_t>(nwords));
  m.counts.reserve(static_cast<std::size_t>(nwords));
  std::unordered_set<std::string_view> seen;
  seen.reserve(static_cast<std::size_t>(nwords));
  for (std::int32_t i = 0; i < nwords; ++i) {
    std::string word;
    r.input().append_until([](unsigned char c) { return c == 0; }, word,
                           FastTextLimits::max_word_bytes + 1);
    if (word.size() > FastTextLimits::max_word_bytes) {
      fail("word " + std::to_string(i) + " is longer than " +
           std::to_string(FastTextLimits::max_word_bytes) + " bytes");
    }
    if (r.input().get() != 0) fail("truncated: the file ends in word " + std::to_string(i));
    if (word.empty()) fail("word " + std::to_string(i) + " is empty");
    const auto count = r.value<std::int64_t>("a word's count");
    const auto type = r.value<std::int8_t>("a word's type");
    if (type != 0) fail("entry " + std::to_string(i) + " " + quote(word) + " is a label");
    if (count < 0) fail("word " + quote(word) + " has a negative count");
    m.words.push_back(std::move(word));
    m.counts.push_back(count);
    if (!seen.insert(m.words.back()).second) fail("word " + quote(m.words.back()) + " repeats");
  }
}

Matrix read_matrix(Reader& r, const char* name, std::int64_t rows, std::int64_t cols) {
  const auto quantised = r.value<std::uint8_t>(name);
  if (quantised != 0) {
    fail(std::string("the ") + name +
         " matrix is quantised (a .ftz model): only unquantised models can be served");
  }
  const auto file_rows = r.value<std::int64_t>(name);
  const auto file_cols = r.value<std::int64_t>(name);
  if (file_rows != rows || file_cols != cols) {
    fail(std::string("the ") + name + " matrix is " + std::to_string(file_rows) + " × " +
         std::to_string(file_cols) + ", expected " + std::to_string(rows) + " × " +
         std::to_string(cols));
  }
  Matrix m(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
  const std::size_t row_bytes = static_cast<std::size_t>(cols) * sizeof(float);
  for (std::size_t i = 0; i < m.rows(); ++i) {
    float* row = m.row(i);
    if (r.input().read(reinterpret_cast<char*>(row), row_bytes) != row_bytes) {
      fail(std::string("truncated: the file ends in row ") + std::to_string(i) + " of the " + name +
           " matrix");
    }
    for (std::size_t k = 0; k < m.cols(); ++k) {
      if (!std::isfinite(row[k])) {
        fail(std::string("row ") + std::to_string(i) + " of the " + name +
             " matrix holds a value that is not finite");
      }
    }
  }
  return m;
}

}  // namespace

FastTextModel load_fasttext(std::istream& in, std::uint64_t available_bytes) {
  Input input(in, available_bytes);
  Reader r(input);
  FastTextModel m;
  m.args = read_args(r);
  read_dictionary(r, m.args, m);
  const auto nwords = static_cast<std::int64_t>(m.words.size());
  m.input = read_matrix(r, "input", nwords + m.args.bucket, m.args.dim);
  m.output = read_matrix(r, "output", nwords, m.args.dim);
  if (input.peek() != Input::kEnd) {
    fail("trailing bytes after the output matrix (byte " + std::to_string(input.offset()) + ")");
  }
  return m;
}

FastTextModel load_fasttext_file(const std::string& path) {
  InputFile file(path);
  try {
    return load_fasttext(file.stream, file.size);
  } catch (const VectorsFormatError& e) {
    throw VectorsFormatError(path + ": " + e.what());
  }
}

namespace {

template <class Write>
void write_fasttext(Write&& write, const FastTextParts& p) {
  const auto nwords = p.words.size();
  const auto dim = static_cast<std::size_t>(p.args.dim);
  if (p.counts.size() != nwords || p.args.dim < 1 || p.args.bucket < 0 ||
      p.input.rows() != nwords + static_cast<std::size_t>(p.args.bucket) || p.input.cols() != dim ||
      p.output.rows() != nwords || p.output.cols() != dim) {
    throw std::invalid_argument("fastText: the parts' sizes do not agree");
  }
  std::string buf;
  const auto put = [&buf](const auto& v) {
    buf.append(reinterpret_cast<const char*>(&v), sizeof v);  // little-endian (see the header)
  };
  put(kMagic);
  put(kVersion);
  const FastTextArgs& a = p.args;
  for (std::int32_t v : {a.dim, a.ws, a.epoch, a.min_count, a.neg, a.word_ngrams, a.loss, a.model,
                         a.bucket, a.minn, a.maxn, a.lr_update_rate}) {
    put(v);
  }
  put(a.t);
  put(static_cast<std::int32_t>(nwords));  // size
  put(static_cast<std::int32_t>(nwords));  // nwords
  put(std::int32_t{0});                    // nlabels
  put(p.ntokens);
  put(std::int64_t{-1});  // pruneidx_size: not pruned
  for (std::size_t i = 0; i < nwords; ++i) {
    buf.append(p.words[i]);
    buf += '\0';
    put(p.counts[i]);
    put(std::int8_t{0});  // a word, not a label
    if (buf.size() >= vectors_internal::kIoBufferBytes) {
      write(std::string_view(buf));
      buf.clear();
    }
  }
  for (const MatrixView* m : {&p.input, &p.output}) {
    put(std::uint8_t{0});  // not quantised
    put(static_cast<std::int64_t>(m->rows()));
    put(static_cast<std::int64_t>(m->cols()));
    for (std::size_t i = 0; i < m->rows(); ++i) {
      buf.append(reinterpret_cast<const char*>(m->row(i)), dim * sizeof(float));
      if (buf.size() >= vectors_internal::kIoBufferBytes) {
        write(std::string_view(buf));
        buf.clear();
      }
    }
  }
  write(std::string_view(buf));
}

}  // namespace

void save_fasttext(std::ostream& out, const FastTextParts& parts) {
  write_fasttext(
      [&](std::string_view s) {
        out.write(s.data(), static_cast<std::streamsize>(s.size()));
        if (!out) throw std::runtime_error("fastText: cannot write to the output stream");
      },
      parts);
  out.flush();
  if (!out) throw std::runtime_error("fastText: cannot write to the output stream");
}

void save_fasttext_file(const std::string& path, const FastTextParts& parts) {
  AtomicFile file(path);
  write_fasttext([&](std::string_view s) { file.write(s); }, parts);
  file.commit();
}

}  // namespace w2v
