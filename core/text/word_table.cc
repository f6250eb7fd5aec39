#include "core/text/word_table.h"

#include <algorithm>
#include <bit>

namespace w2v {
namespace {

std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

std::uint64_t load_le(const char* p, std::size_t n) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

}  // namespace

std::uint64_t hash_bytes(std::string_view s) noexcept {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  std::uint64_t h = k0 ^ s.size();
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    h = mix(h ^ load_le(p, 8), k1);
    p += 8;
    n -= 8;
  }
  if (n > 0) h = mix(h ^ load_le(p, n), k1);
  return mix(h, k0 ^ k1);
}

WordTable::WordTable(std::size_t expected_words) {
  const std::size_t cap = std::bit_ceil(std::max<std::size_t>(16, expected_words * 2));
  slots_.assign(cap, Slot{kNotFound, 0});
  mask_ = cap - 1;
  offsets_.reserve(expected_words + 1);
}

std::size_t WordTable::probe(std::string_view word, std::uint64_t h) const noexcept {
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.id == kNotFound) return i;
    if (s.tag == tag && this->word(s.id) == word) return i;
  }
}

std::uint32_t WordTable::find(std::string_view word) const noexcept {
  return slots_[probe(word, hash_bytes(word))].id;
}

std::uint32_t WordTable::intern(std::string_view word) {
  const std::uint64_t h = hash_bytes(word);
  std::size_t i = probe(word, h);
  if (slots_[i].id != kNotFound) return slots_[i].id;
  const auto id = static_cast<std::uint32_t>(size());
  arena_.insert(arena_.end(), word.begin(), word.end());
  offsets_.push_back(arena_.size());
  slots_[i] = Slot{id, static_cast<std::uint32_t>(h >> 32)};
  if (size() * 2 > slots_.size()) grow();
  return id;
}

void WordTable::grow() {
  std::vector<Slot> old(slots_.size() * 2, Slot{kNotFound, 0});
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kNotFound) continue;
    const std::uint64_t h = hash_bytes(word(s.id));
    std::size_t i = h & mask_;
    while (slots_[i].id != kNotFound) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

std::size_t WordTable::memory_bytes() const noexcept {
  return slots_.capacity() * sizeof(Slot) + arena_.capacity() +
         offsets_.capacity() * sizeof(std::uint64_t);
}

std::uint32_t WordTableView::find(std::string_view word) const noexcept {
  if (slots_.empty()) return WordTable::kNotFound;
  const std::uint64_t h = hash_bytes(word);
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask, n = 0; n < slots_.size(); i = (i + 1) & mask, ++n) {
    const WordSlot& s = slots_[i];
    if (s.id == WordTable::kNotFound) break;
    if (s.tag == tag && s.id < size() && this->word(s.id) == word) return s.id;
  }
  return WordTable::kNotFound;
}

bool valid_word_offsets(std::span<const std::uint64_t> offsets,
                        std::uint64_t arena_bytes) noexcept {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != arena_bytes) return false;
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) return false;
  }
  return true;
}

}  // namespace w2v
