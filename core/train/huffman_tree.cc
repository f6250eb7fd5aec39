#include "core/train/huffman_tree.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace w2v {

HuffmanTree::HuffmanTree(std::span<const std::uint64_t> counts, std::size_t max_depth) {
  const std::size_t v = counts.size();
  if (!std::is_sorted(counts.begin(), counts.end(), std::greater<>())) {
    throw std::invalid_argument("huffman tree: counts must be sorted in descending order");
  }
  offsets_.assign(v + 1, 0);
  if (v < 2) return;  // a single word needs no decision: an empty path
  // Nodes 0..v-1 are the leaves (words), v..2v-2 the inner nodes in order of creation. Both
  // queues are sorted: the leaves by the input order, the inner nodes because each new one
  // is at least as heavy as the last.
  std::vector<std::uint64_t> weight(2 * v - 1, std::numeric_limits<std::uint64_t>::max());
  std::copy(counts.begin(), counts.end(), weight.begin());
  std::vector<std::uint32_t> parent(2 * v - 1, 0);
  std::vector<std::uint8_t> bit(2 * v - 1, 0);
  std::ptrdiff_t leaf = static_cast<std::ptrdiff_t>(v) - 1;  // next lightest leaf
  std::size_t inner = v;                                     // next lightest inner node
  auto take_lightest = [&]() -> std::size_t {
    if (leaf >= 0 && weight[static_cast<std::size_t>(leaf)] < weight[inner]) {
      return static_cast<std::size_t>(leaf--);
    }
    return inner++;
  };
  for (std::size_t a = 0; a + 1 < v; ++a) {
    const std::size_t first = take_lightest(), second = take_lightest();
    weight[v + a] = weight[first] + weight[second];
    parent[first] = parent[second] = static_cast<std::uint32_t>(v + a);
    bit[second] = 1;
  }
  const std::size_t root = 2 * v - 2;
  std::vector<std::uint32_t> nodes;
  std::vector<std::uint8_t> bits;
  for (std::size_t w = 0; w < v; ++w) {
    nodes.clear();
    bits.clear();
    for (std::size_t n = w; n != root; n = parent[n]) {
      bits.push_back(bit[n]);
      nodes.push_back(parent[n]);
    }
    if (nodes.size() > max_depth) {
      throw std::invalid_argument("huffman tree: a path of " + std::to_string(nodes.size()) +
                                  " nodes exceeds the limit of " + std::to_string(max_depth));
    }
    // Stored root first: inner node n becomes output row n - v.
    for (std::size_t i = nodes.size(); i-- > 0;) {
      points_.push_back(static_cast<std::uint32_t>(nodes[i] - v));
      codes_.push_back(bits[i]);
    }
    offsets_[w + 1] = points_.size();
  }
}

std::size_t HuffmanTree::max_depth() const noexcept {
  std::size_t d = 0;
  for (std::size_t w = 0; w < words(); ++w) {
    d = std::max<std::size_t>(d, static_cast<std::size_t>(offsets_[w + 1] - offsets_[w]));
  }
  return d;
}

}  // namespace w2v
