#include "core/train/continued_training.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "core/text/word_table.h"
#include "core/train/huffman_tree.h"
#include "core/train/kernel_logistic.h"
#include "core/train/subword_vectors.h"

namespace w2v {
namespace {

// What an inner node decides: the words under its 0 branch and under its 1 branch, each set
// summarised by the sum of its words' hashes.
struct Split {
  std::uint64_t zero = 0, one = 0;
  bool operator==(const Split&) const = default;
};
struct SplitHash {
  std::size_t operator()(const Split& s) const noexcept {
    return static_cast<std::size_t>(s.zero * 0x9E3779B97F4A7C15ull ^ s.one);
  }
};

std::uint64_t mixed_hash(std::string_view word) noexcept {
  std::uint64_t z = hash_bytes(word) + 0x9E3779B97F4A7C15ull;  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

template <class WordAt>
std::vector<Split> splits_of(const HuffmanTree& tree, WordAt word_at) {
  std::vector<Split> out(tree.inner_nodes());
  for (std::uint32_t w = 0; w < tree.words(); ++w) {
    const std::uint64_t h = mixed_hash(word_at(w));
    const auto path = tree.path(w);
    const auto code = tree.code(w);
    for (std::size_t i = 0; i < path.size(); ++i) {
      (code[i] ? out[path[i]].one : out[path[i]].zero) += h;
    }
  }
  return out;
}

void copy_row(const Matrix& from, std::size_t from_row, Matrix& to, std::size_t to_row) {
  std::memcpy(to.row(to_row), from.row(from_row), from.cols() * sizeof(float));
}

// Hierarchical softmax: inner nodes that split the same words the same way in both trees.
std::size_t carry_inner_nodes(const ParentModel& parent, const Vocabulary& vocab, Matrix& output) {
  HuffmanTree parent_tree, tree;
  try {
    parent_tree = HuffmanTree(parent.state->counts, kMaxLogisticRows);
    tree = HuffmanTree(vocab.counts(), kMaxLogisticRows);
  } catch (const std::invalid_argument&) {
    return 0;  // a tree that cannot be built carries nothing; training reports the error
  }
  std::unordered_map<Split, std::uint32_t, SplitHash> parent_nodes;
  const auto parent_splits =
      splits_of(parent_tree, [&](std::uint32_t w) { return std::string_view(parent.words[w]); });
  for (std::uint32_t n = 0; n < parent_splits.size(); ++n)
    parent_nodes.emplace(parent_splits[n], n);
  const auto splits = splits_of(tree, [&](std::uint32_t w) { return vocab.word(w); });
  std::size_t carried = 0;
  for (std::uint32_t n = 0; n < splits.size(); ++n) {
    const auto it = parent_nodes.find(splits[n]);
    if (it == parent_nodes.end()) continue;
    copy_row(parent.state->output, it->second, output, n);
    ++carried;
  }
  return carried;
}

}  // namespace

Vocabulary continued_vocabulary(const ParentModel& parent, const WordCounts& corpus,
                                const ContinuationOptions& options) {
  struct Entry {
    std::string_view word;
    std::uint64_t count;
  };
  std::vector<Entry> entries;
  entries.reserve(parent.words.size());
  WordTable parent_ids(parent.words.size());
  for (std::size_t i = 0; i < parent.words.size(); ++i) {
    parent_ids.intern(parent.words[i]);
    const std::uint64_t before = parent.state ? parent.state->counts[i] : 0;
    entries.push_back({parent.words[i], before + corpus.count_of(parent.words[i])});
  }
  if (options.vocabulary == VocabularyMode::kExtend) {
    std::vector<Entry> added;
    for (std::uint32_t id = 0; id < corpus.distinct(); ++id) {
      if (corpus.count(id) >= options.min_count &&
          parent_ids.find(corpus.word(id)) == WordTable::kNotFound) {
        added.push_back({corpus.word(id), corpus.count(id)});
      }
    }
    const auto by_count = [](const Entry& a, const Entry& b) {
      return a.count != b.count ? a.count > b.count : a.word < b.word;
    };
    std::sort(added.begin(), added.end(), by_count);
    if (options.max_vocab > 0) {
      const std::size_t room =
          options.max_vocab > entries.size() ? options.max_vocab - entries.size() : 0;
      if (added.size() > room) added.resize(room);
    }
    entries.insert(entries.end(), added.begin(), added.end());
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.word < b.word;
  });
  std::vector<std::string_view> words;
  std::vector<std::uint64_t> counts;
  words.reserve(entries.size());
  counts.reserve(entries.size());
  for (const Entry& e : entries) {
    words.push_back(e.word);
    counts.push_back(e.count);
  }
  return Vocabulary::from_words(words, std::move(counts));
}

ContinuedWeights continued_weights(const ParentModel& parent, const Vocabulary& vocab,
                                   const TrainParams& params) {
  const auto dim = static_cast<std::size_t>(params.dim);
  if (parent.input.cols() != dim || parent.input.rows() != parent.words.size()) {
    throw std::invalid_argument("the parent model has dimension " +
                                std::to_string(parent.input.cols()) + ", the job asks for " +
                                std::to_string(dim));
  }
  ContinuedWeights out{make_initial_weights(vocab.size(), params)};
  const bool carry_output =
      parent.state && parent.state->loss == params.loss && parent.state->output.cols() == dim;
  // With the same subwords, the parent's own input rows (its vectors are their means) and its
  // bucket rows carry over; otherwise its vectors are the new words' rows.
  const bool carry_subwords = params.subwords() && parent.state &&
                              parent.state->subwords == subword_settings(params) &&
                              parent.state->input.cols() == dim;
  const Matrix& parent_rows = carry_subwords ? parent.state->input : parent.input;
  if (carry_subwords) {
    const auto bucket = static_cast<std::size_t>(params.bucket);
    for (std::size_t b = 0; b < bucket; ++b) {
      copy_row(parent_rows, parent.words.size() + b, out.weights.input, vocab.size() + b);
    }
  }
  for (std::size_t p = 0; p < parent.words.size(); ++p) {
    const std::int32_t id = vocab.id(parent.words[p]);
    if (id == Vocabulary::kAbsent) continue;
    copy_row(parent_rows, p, out.weights.input, static_cast<std::size_t>(id));
    ++out.words_carried;
    if (carry_output && params.loss != LossType::kHierarchicalSoftmax) {
      copy_row(parent.state->output, p, out.weights.output, static_cast<std::size_t>(id));
      ++out.output_rows_carried;
    }
  }
  if (carry_output && params.loss == LossType::kHierarchicalSoftmax) {
    out.output_rows_carried = carry_inner_nodes(parent, vocab, out.weights.output);
  }
  return out;
}

}  // namespace w2v
