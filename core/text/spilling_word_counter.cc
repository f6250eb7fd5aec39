#include "core/text/spilling_word_counter.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "core/base/atomic_file.h"

namespace w2v {

// Appends "count word\n" lines to an AtomicFile through a buffer, and knows its offset.
class SpillingWordCounter::LineWriter {
 public:
  explicit LineWriter(AtomicFile& file) : file_(file) { buffer_.reserve(kBufferBytes); }

  void text(std::string_view s) {
    buffer_.append(s);
    offset_ += s.size();
    if (buffer_.size() >= kBufferBytes) flush();
  }
  void line(std::uint64_t count, std::string_view word) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, count);
    text(std::string_view(digits, static_cast<std::size_t>(end - digits)));
    buffer_.push_back(' ');
    buffer_.append(word);
    buffer_.push_back('\n');
    offset_ += word.size() + 2;
    if (buffer_.size() >= kBufferBytes) flush();
  }
  void flush() {
    file_.write(buffer_);
    buffer_.clear();
  }
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;
  AtomicFile& file_;
  std::string buffer_;
  std::uint64_t offset_ = 0;
};

namespace {

// Levels of nested partitioning: each takes another 6 bits of the word's 64-bit hash.
constexpr int kPartitionBits = 6;
constexpr int kMaxLevel = 64 / kPartitionBits - 1;
static_assert(SpillingWordCounter::kPartitions == 1u << kPartitionBits);

// The width of the header's distinct-word count, written once the merge knows it.
constexpr std::size_t kDistinctDigits = 20;

// Calls f(word, count) for each line of path's bytes [begin, end).
template <typename F>
void for_each_line(const std::string& path, std::uint64_t begin, std::uint64_t end, F&& f) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the word-count run " + path);
  in.seekg(static_cast<std::streamoff>(begin));
  std::string line;
  for (std::uint64_t at = begin; at < end; at += line.size() + 1) {
    if (!std::getline(in, line)) throw std::runtime_error("word-count run " + path + " is short");
    const auto space = line.find(' ');
    std::uint64_t count = 0;
    const bool spaced = space != std::string::npos && space > 0 && space + 1 < line.size();
    const auto parsed = spaced ? std::from_chars(line.data(), line.data() + space, count)
                               : std::from_chars_result{line.data(), std::errc::invalid_argument};
    if (!spaced || parsed.ec != std::errc() || parsed.ptr != line.data() + space) {
      throw std::runtime_error("word-count run " + path + " has a malformed line");
    }
    f(std::string_view(line).substr(space + 1), count);
  }
}

}  // namespace

SpillingWordCounter::SpillingWordCounter(SharedMemoryBudget& budget, std::string run_prefix)
    : SpillingWordCounter(budget, std::move(run_prefix), 0) {}

SpillingWordCounter::SpillingWordCounter(SharedMemoryBudget& budget, std::string run_prefix,
                                         int level)
    : budget_(budget), run_prefix_(std::move(run_prefix)), level_(level) {
  if (level > kMaxLevel) {
    throw std::runtime_error("word counting: a partition is still too large after " +
                             std::to_string(kMaxLevel) + " levels of splitting");
  }
}

SpillingWordCounter::~SpillingWordCounter() {
  remove_runs();
  give_back_all();
}

bool SpillingWordCounter::take_up_to(std::size_t bytes) noexcept {
  if (bytes <= allowance()) return true;
  const std::size_t short_by = bytes - allowance();
  // Twice what is missing when the budget has it, so a growing table asks rarely.
  for (const std::size_t ask : {2 * short_by, short_by}) {
    if (budget_.try_take(ask)) {
      taken_ += ask;
      return true;
    }
  }
  return false;
}

void SpillingWordCounter::give_back_all() noexcept {
  budget_.give_back(taken_);
  taken_ = 0;
}

std::size_t SpillingWordCounter::memory_bytes() const noexcept {
  return table_.memory_bytes() + counts_.capacity() * sizeof(std::uint64_t);
}

void SpillingWordCounter::add(std::string_view word, std::uint64_t count) {
  tokens_ += count;
  add_counted(word, count);
}

void SpillingWordCounter::add_counted(std::string_view word, std::uint64_t count) {
  const std::uint32_t id = table_.find(word);
  if (id != WordTable::kNotFound) {
    counts_[id] += count;
    return;
  }
  // Growing may briefly hold a vector's old and new copies: three times its size at most.
  if (!take_up_to(3 * (memory_bytes() + word.size())) && table_.size() > 0) spill();
  table_.intern(word);
  counts_.push_back(count);
}

std::size_t SpillingWordCounter::partition_of(std::string_view word) const noexcept {
  const int shift = 64 - kPartitionBits * (level_ + 1);
  return static_cast<std::size_t>(hash_bytes(word) >> shift) & (kPartitions - 1);
}

void SpillingWordCounter::spill() {
  const auto n = static_cast<std::uint32_t>(table_.size());
  // The ids grouped by partition (a counting sort): every run lists partition 0 first.
  std::vector<std::uint8_t> part(n);
  std::array<std::size_t, kPartitions + 1> first{};
  for (std::uint32_t id = 0; id < n; ++id) {
    part[id] = static_cast<std::uint8_t>(partition_of(table_.word(id)));
    ++first[part[id] + 1];
  }
  for (std::size_t p = 0; p < kPartitions; ++p) first[p + 1] += first[p];
  std::vector<std::uint32_t> order(n);
  std::array<std::size_t, kPartitions> next{};
  for (std::size_t p = 0; p < kPartitions; ++p) next[p] = first[p];
  for (std::uint32_t id = 0; id < n; ++id) order[next[part[id]]++] = id;

  Run run{run_prefix_ + std::to_string(runs_.size()), {}};
  {
    AtomicFile file(run.path, AtomicFile::Sync::kScratch);  // worthless after a crash anyway
    LineWriter out(file);
    for (std::size_t p = 0; p < kPartitions; ++p) {
      run.starts.push_back(out.offset());
      for (std::size_t i = first[p]; i < first[p + 1]; ++i) {
        out.line(counts_[order[i]], table_.word(order[i]));
      }
    }
    run.starts.push_back(out.offset());
    out.flush();
    file.commit();
  }
  runs_.push_back(std::move(run));
  ++spills_;
  clear_table();
  give_back_all();
}

void SpillingWordCounter::clear_table() {
  table_ = WordTable();
  std::vector<std::uint64_t>().swap(counts_);
}

std::uint64_t SpillingWordCounter::drain(LineWriter& out) {
  if (runs_.empty()) {
    for (std::uint32_t id = 0; id < table_.size(); ++id) out.line(counts_[id], table_.word(id));
    return table_.size();
  }
  if (table_.size() > 0) spill();
  clear_table();
  give_back_all();
  std::uint64_t distinct = 0;
  for (std::size_t p = 0; p < kPartitions; ++p) {
    // Every occurrence of the partition's words, from every run, counted within the same
    // budget: by a counter that splits the partition further if it must.
    SpillingWordCounter merged(budget_, run_prefix_ + "p" + std::to_string(p) + "-", level_ + 1);
    for (const Run& run : runs_) {
      for_each_line(
          run.path, run.starts[p], run.starts[p + 1],
          [&](std::string_view word, std::uint64_t count) { merged.add_counted(word, count); });
    }
    distinct += merged.drain(out);
    spills_ += merged.spills_;
  }
  remove_runs();
  return distinct;
}

SpillingWordCounter::Totals SpillingWordCounter::write_counts(AtomicFile& out) {
  LineWriter writer(out);
  writer.text("w2v-word-counts 1 ");
  const std::uint64_t distinct_at = writer.offset();
  writer.text(std::string(kDistinctDigits, '0'));
  writer.text(" " + std::to_string(tokens_) + " " + std::to_string(sentences_) + "\n");
  const std::uint64_t distinct = drain(writer);
  writer.flush();
  char digits[kDistinctDigits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(distinct));
  out.pwrite(digits, kDistinctDigits, distinct_at);
  return {distinct, tokens_, sentences_};
}

void SpillingWordCounter::remove_runs() noexcept {
  for (const Run& run : runs_) {
    std::error_code ignored;
    std::filesystem::remove(run.path, ignored);
  }
  runs_.clear();
}

}  // namespace w2v
