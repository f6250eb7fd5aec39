#pragma once
// An open-addressing hash table from words (byte strings) to dense ids 0..size()-1, with the
// words stored back to back in one arena. Used to count words and to look them up while
// encoding a corpus, where it is the hot path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace w2v {

// A fast 64-bit hash of a byte string (multiply-mix over 8-byte blocks).
std::uint64_t hash_bytes(std::string_view s) noexcept;

// One slot of the hash table: a word's id and the high 32 bits of its hash (hash_bytes), or
// kNotFound in id when empty. Word w sits at the first slot from hash & mask (probing linearly)
// that holds it; the table is never more than half full.
struct WordSlot {
  std::uint32_t id;
  std::uint32_t tag;
};

class WordTable {
 public:
  static constexpr std::uint32_t kNotFound = 0xFFFFFFFFu;

  explicit WordTable(std::size_t expected_words = 0);

  // The id of word, adding it with id size() when absent.
  std::uint32_t intern(std::string_view word);
  // The id of word, or kNotFound.
  std::uint32_t find(std::string_view word) const noexcept;

  std::size_t size() const noexcept { return offsets_.size() - 1; }
  // Valid until the next intern().
  std::string_view word(std::uint32_t id) const noexcept {
    return {arena_.data() + offsets_[id],
            static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
  }
  // Bytes held by the table, for accounting.
  std::size_t memory_bytes() const noexcept;

  // The table as it is laid out, for a file to keep (core/search/embeddings_file.h) and a
  // WordTableView to read back: the slots (a power of two of them), the words back to back, and
  // size() + 1 offsets into them.
  std::span<const WordSlot> slots() const noexcept { return slots_; }
  std::span<const char> arena() const noexcept { return arena_; }
  std::span<const std::uint64_t> offsets() const noexcept { return offsets_; }

 private:
  using Slot = WordSlot;
  std::size_t probe(std::string_view word, std::uint64_t h) const noexcept;
  void grow();

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<char> arena_;
  std::vector<std::uint64_t> offsets_{0};
};

}  // namespace w2v

namespace w2v {

// A WordTable's lookups over its layout kept elsewhere (a mapped file), without copying it.
// Lookups stay bounded whatever the memory holds: a probe visits each slot at most once and
// skips ids past size(). The offsets must be checked first (non-decreasing, the last one
// arena.size(): valid_word_offsets), since word() trusts them.
class WordTableView {
 public:
  WordTableView() = default;
  // slots.size() must be a power of two.
  WordTableView(std::span<const WordSlot> slots, std::span<const char> arena,
                std::span<const std::uint64_t> offsets) noexcept
      : slots_(slots), arena_(arena), offsets_(offsets) {}

  std::uint32_t find(std::string_view word) const noexcept;
  std::size_t size() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::string_view word(std::uint32_t id) const noexcept {
    return {arena_.data() + offsets_[id],
            static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
  }
  std::span<const WordSlot> slots() const noexcept { return slots_; }
  std::span<const char> arena() const noexcept { return arena_; }
  std::span<const std::uint64_t> offsets() const noexcept { return offsets_; }

 private:
  std::span<const WordSlot> slots_;
  std::span<const char> arena_;
  std::span<const std::uint64_t> offsets_;
};

// Whether offsets can index arena: at least one, starting at 0, non-decreasing, the last one
// arena_bytes.
bool valid_word_offsets(std::span<const std::uint64_t> offsets, std::uint64_t arena_bytes) noexcept;

}  // namespace w2v
