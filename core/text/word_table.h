#pragma once
// An open-addressing hash table from words (byte strings) to dense ids 0..size()-1, with the
// words stored back to back in one arena. Used to count words and to look them up while
// encoding a corpus, where it is the hot path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace w2v {

// A fast 64-bit hash of a byte string (multiply-mix over 8-byte blocks).
std::uint64_t hash_bytes(std::string_view s) noexcept;

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

 private:
  struct Slot {
    std::uint32_t id;   // kNotFound when empty
    std::uint32_t tag;  // high bits of the hash, compared before the bytes
  };
  std::size_t probe(std::string_view word, std::uint64_t h) const noexcept;
  void grow();

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<char> arena_;
  std::vector<std::uint64_t> offsets_{0};
};

}  // namespace w2v
