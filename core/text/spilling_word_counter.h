#pragma once
// Counts the words of a text exactly, in bounded memory, however many distinct words it has:
// what a corpus upload counts with (a text of ids, numbers and misspellings can have tens of
// millions of distinct tokens, and an in-memory table of them takes gigabytes).
//
// Words are counted in an in-memory table (WordTable and a count per word) while it stays under a
// third of the memory it may use; a third, because a table doubles a vector when it grows and
// the old and new copies coexist for a moment. Each counter may use kMinMemoryBytes, plus what it
// takes from a SharedMemoryBudget shared by every counter of the process (the uploads open at
// once), and gives back when it spills or ends. When it can take no more, the table is written
// out (a spill, an external aggregation run) and emptied. A run holds "count word" lines grouped
// into 64 partitions by a hash of the word, so that every occurrence of a word lands in the same
// partition of every run. At the end each partition is merged on its own: read from every run
// into a fresh table, whose words are then written to the counts file. A partition whose words do
// not fit either is counted again by a nested counter that splits it by other bits of the hash,
// so the bound holds for any text; the counts stay exact, and later jobs can choose any
// min_count.
//
// Without a spill, the counts file lists words in order of first occurrence, as
// WordCounts::save; after one, partition by partition. Nothing depends on that order
// (Vocabulary::build sorts by count, then by word).
//
// Runs are written through AtomicFile (core/base/atomic_file.h), so a full disk surfaces as its
// std::system_error and the test hooks that simulate one apply; a counter removes its run files
// when it is destroyed, whether or not it finished.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/shared_memory_budget.h"
#include "core/text/word_table.h"

namespace w2v {

class AtomicFile;

class SpillingWordCounter {
 public:
  // What every counter may use without taking from the shared budget: a table of a few thousand
  // words.
  static constexpr std::size_t kMinMemoryBytes = 1 << 20;
  static constexpr std::size_t kPartitions = 64;

  struct Totals {
    std::uint64_t distinct = 0;
    std::uint64_t tokens = 0;
    std::uint64_t sentences = 0;
  };

  // Tables of kMinMemoryBytes, plus what budget (which must outlive the counter) can spare. Runs
  // are files named run_prefix + a number: for example "<upload's temporary directory>/count-".
  SpillingWordCounter(SharedMemoryBudget& budget, std::string run_prefix);
  ~SpillingWordCounter();
  SpillingWordCounter(const SpillingWordCounter&) = delete;
  SpillingWordCounter& operator=(const SpillingWordCounter&) = delete;

  // Adds count occurrences of word (no whitespace, not empty), spilling first when the table
  // is full. Throws what writing a run throws (std::system_error; a full disk among them).
  void add(std::string_view word, std::uint64_t count = 1);
  void end_sentence() noexcept { ++sentences_; }

  std::uint64_t tokens() const noexcept { return tokens_; }
  std::uint64_t sentences() const noexcept { return sentences_; }
  // Runs written so far, nested merges included.
  std::size_t spills() const noexcept { return spills_; }
  // What the in-memory table takes now, and what it may take (kMinMemoryBytes and the bytes
  // taken from the shared budget): memory_bytes() stays within a third of allowance() before a
  // table grows, and within two thirds after.
  std::size_t memory_bytes() const noexcept;
  std::size_t allowance() const noexcept { return kMinMemoryBytes + taken_; }

  // Writes every word's count to out in WordCounts's file format (WordCounts::load reads it)
  // and returns the totals; out is not committed. Then removes the runs. Call once, last.
  Totals write_counts(AtomicFile& out);

 private:
  // A run: the byte offset where each partition's lines start, and the file's size last.
  struct Run {
    std::string path;
    std::vector<std::uint64_t> starts;
  };
  class LineWriter;

  SpillingWordCounter(SharedMemoryBudget& budget, std::string run_prefix, int level);
  void add_counted(std::string_view word, std::uint64_t count);
  // Takes from the shared budget so that allowance() reaches at least bytes; false if it cannot.
  bool take_up_to(std::size_t bytes) noexcept;
  void give_back_all() noexcept;
  std::size_t partition_of(std::string_view word) const noexcept;
  void spill();
  void clear_table();
  // Writes this counter's words to out, partition by partition; returns how many.
  std::uint64_t drain(LineWriter& out);
  void remove_runs() noexcept;

  SharedMemoryBudget& budget_;
  std::size_t taken_ = 0;
  std::string run_prefix_;
  int level_;
  WordTable table_;
  std::vector<std::uint64_t> counts_;
  std::vector<Run> runs_;
  std::uint64_t tokens_ = 0;
  std::uint64_t sentences_ = 0;
  std::size_t spills_ = 0;
};

// A tokenizer sink that counts into a SpillingWordCounter.
struct SpillingCountingSink {
  SpillingWordCounter& counter;
  void on_word(std::string_view w) { counter.add(w); }
  void on_sentence_end() { counter.end_sentence(); }
};

}  // namespace w2v
