// Loading a model for queries, the two ways w2vd has: parsing word2vec's binary format (and
// building the word table, norms and 8-bit copy: what every load did before the rows file, and
// what a model's first load still does) against mapping its rows file
// (core/search/embeddings_file.h). For each: the time, the first query's time, and the
// process's resident memory (anonymous: heap; file: mapped page cache) after it.
//
//   build/bench/model_load_bench [VECTORS.bin] [WORDS DIM]
//
// Without VECTORS.bin (or with "generate") it writes a random WORDS × DIM model (1,000,000 ×
// 300 by default, words "w0", "w1", ...) to $TMPDIR/w2vd-load-bench-WORDSxDIM.bin first, once;
// the rows file goes beside the vectors file (.w2vm). The "cold" mapping first asks the kernel to
// drop the file's pages (posix_fadvise DONTNEED), so its first query reads from disk; "warm" is
// a load after eviction, the pages still in the page cache.

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/io/vectors_io.h"
#include "core/search/embeddings.h"
#include "core/search/embeddings_file.h"

namespace {

using Clock = std::chrono::steady_clock;

// Wall-clock and CPU (user + system) seconds since construction: on a shared machine the CPU
// time is the steadier figure.
class Timer {
 public:
  Timer() : wall_(Clock::now()), cpu_(cpu_seconds()) {}
  std::string text() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%7.3f s (cpu %6.3f s)",
                  std::chrono::duration<double>(Clock::now() - wall_).count(),
                  cpu_seconds() - cpu_);
    return buf;
  }

 private:
  static double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    const auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
  }
  Clock::time_point wall_;
  double cpu_;
};

// "RssAnon" and "RssFile" of /proc/self/status, in MiB.
std::string resident() {
  std::ifstream in("/proc/self/status");
  std::string line, out;
  while (std::getline(in, line)) {
    for (const char* key : {"RssAnon:", "RssFile:"}) {
      if (line.rfind(key, 0) == 0) {
        const long kib = std::strtol(line.c_str() + std::string(key).size(), nullptr, 10);
        out += std::string(key) + " " + std::to_string(kib / 1024) + " MiB  ";
      }
    }
  }
  return out;
}

void generate(const std::string& path, std::size_t words, std::size_t dim) {
  std::printf("generating %zu x %zu into %s\n", words, dim, path.c_str());
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  w2v::Matrix m(words, dim);
  std::vector<std::string> names;
  names.reserve(words);
  for (std::size_t i = 0; i < words; ++i) {
    names.push_back("w" + std::to_string(i));
    for (std::size_t j = 0; j < dim; ++j) m.row(i)[j] = normal(rng);
  }
  const std::vector<std::string_view> views(names.begin(), names.end());
  w2v::save_vectors_file(path, views, m, w2v::VectorsFormat::kBinary);
}

void drop_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// One exact top-10 query of a frequent word, timed: what the first query after a load pays.
std::string first_query(const w2v::Embeddings& emb) {
  const Timer t;
  const std::uint32_t pos[] = {7};
  const auto r = emb.most_similar(pos, {}, 10);
  if (r.size() != 10) std::abort();
  return t.text();
}

void report(const char* what, const Timer& load, const w2v::Embeddings& emb) {
  std::printf("%-26s load        %s  %s\n", what, load.text().c_str(), resident().c_str());
  const std::string q = first_query(emb);
  std::printf("%-26s first query %s  %s\n", "", q.c_str(), resident().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t words = argc > 3 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
  const std::size_t dim = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 300;
  std::string vectors = argc > 1 ? argv[1] : "generate";
  if (vectors == "generate") {
    vectors = (std::filesystem::temp_directory_path() /
               ("w2vd-load-bench-" + std::to_string(words) + "x" + std::to_string(dim) + ".bin"))
                  .string();
    if (!std::filesystem::exists(vectors)) generate(vectors, words, dim);
  }
  const std::string rows = vectors + ".w2vm";
  std::printf("%s (%.0f MiB)\n", vectors.c_str(),
              static_cast<double>(std::filesystem::file_size(vectors)) / (1 << 20));
  std::printf("%-26s %s\n", "at start", resident().c_str());

  {
    const Timer t;
    auto wv = w2v::load_vectors_file(vectors, w2v::VectorsFormat::kBinary);
    const w2v::Embeddings parsed(std::move(wv.words), std::move(wv.vectors));
    report("parsed (word2vec binary)", t, parsed);
    const Timer w;
    w2v::save_embeddings_file(rows, parsed);
    std::printf("%-26s %s, %.0f MiB\n", "rows file written", w.text().c_str(),
                static_cast<double>(std::filesystem::file_size(rows)) / (1 << 20));
  }
  std::printf("%-26s %s\n", "parsed copy freed", resident().c_str());

  drop_pages(rows);
  for (const char* what : {"mapped, cold page cache", "mapped again (warm)"}) {
    const Timer t;
    const w2v::Embeddings mapped = w2v::map_embeddings_file(rows);
    report(what, t, mapped);
  }
  std::printf("%-26s %s\n", "unmapped", resident().c_str());
  const Timer v;
  w2v::verify_embeddings_file(rows);
  std::printf("%-26s %s\n", "verify (w2vd check)", v.text().c_str());
  std::filesystem::remove(rows);
  return 0;
}
