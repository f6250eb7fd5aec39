#pragma once
// The Huffman tree of hierarchical softmax (docs/math.md §6), built in O(V) from counts sorted in
// descending order (the vocabulary's order) with word2vec's two-queue method. Each word's path
// from the root is stored compactly: one array of inner-node ids and one of code bits for all
// words, indexed by per-word offsets (no vector per word). Inner nodes are numbered 0..V-2, the
// root being V-2; they index the output matrix's rows.

#include <cstdint>
#include <span>
#include <vector>

namespace w2v {

class HuffmanTree {
 public:
  HuffmanTree() = default;
  // counts must be sorted in descending order. Throws std::invalid_argument otherwise, or when
  // a path would be longer than max_depth.
  explicit HuffmanTree(std::span<const std::uint64_t> counts, std::size_t max_depth = 128);

  std::size_t words() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t inner_nodes() const noexcept { return words() > 1 ? words() - 1 : 0; }
  // The inner nodes from the root down to the word's leaf, and the code bit taken at each.
  std::span<const std::uint32_t> path(std::uint32_t word) const noexcept {
    return {points_.data() + offsets_[word],
            static_cast<std::size_t>(offsets_[word + 1] - offsets_[word])};
  }
  std::span<const std::uint8_t> code(std::uint32_t word) const noexcept {
    return {codes_.data() + offsets_[word],
            static_cast<std::size_t>(offsets_[word + 1] - offsets_[word])};
  }
  std::size_t max_depth() const noexcept;

 private:
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> points_;
  std::vector<std::uint8_t> codes_;
};

}  // namespace w2v
