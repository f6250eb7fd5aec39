#include "core/distributed/job_distribution.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace w2v::distributed {
namespace {

template <class T>
std::span<std::byte> bytes_of(std::vector<T>& v) {
  return std::as_writable_bytes(std::span<T>(v));
}

void check_root_argument(const Communicator& comm, const void* argument, const char* what) {
  if ((comm.rank() == 0) != (argument != nullptr)) {
    throw std::invalid_argument(std::string(what) + ": rank 0, and only rank 0, passes it");
  }
}

}  // namespace

Vocabulary broadcast_vocabulary(Communicator& comm, const Vocabulary* vocab) {
  check_root_argument(comm, vocab, "broadcast_vocabulary");
  // Words hold no whitespace (the tokenizer splits on it), so '\n' separates them.
  std::vector<char> text;
  std::vector<std::uint64_t> counts;
  if (vocab != nullptr) {
    for (std::size_t i = 0; i < vocab->size(); ++i) {
      const std::string_view w = vocab->word(i);
      text.insert(text.end(), w.begin(), w.end());
      text.push_back('\n');
    }
    counts = vocab->counts();
  }
  std::vector<std::uint64_t> sizes = {counts.size(), text.size()};
  comm.broadcast(bytes_of(sizes), 0);
  counts.resize(sizes[0]);
  text.resize(sizes[1]);
  comm.broadcast(bytes_of(counts), 0);
  comm.broadcast(bytes_of(text), 0);
  if (vocab != nullptr) return Vocabulary::from_words(vocab->words(), counts);

  std::vector<std::string_view> words;
  words.reserve(counts.size());
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      words.emplace_back(text.data() + start, i - start);
      start = i + 1;
    }
  }
  if (words.size() != counts.size()) {
    throw std::runtime_error("broadcast_vocabulary: received a malformed vocabulary");
  }
  return Vocabulary::from_words(words, std::move(counts));
}

std::vector<std::size_t> share_cuts(std::span<const std::uint32_t> ids, int members) {
  if (members < 1) throw std::invalid_argument("share_cuts: members must be at least 1");
  const auto words = static_cast<std::uint64_t>(
      std::count_if(ids.begin(), ids.end(), [](std::uint32_t id) { return id != kSentenceEnd; }));
  // Member r's share begins at word number words·r/members (counted from 0).
  const auto first_word = [&](int r) {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(words) *
                                      static_cast<unsigned>(r) / static_cast<unsigned>(members));
  };
  std::vector<std::size_t> cuts(static_cast<std::size_t>(members) + 1, ids.size());
  cuts[0] = 0;
  int r = 1;
  std::uint64_t seen = 0;  // words before pos
  for (std::size_t pos = 0; pos < ids.size() && r < members; ++pos) {
    if (ids[pos] == kSentenceEnd) continue;
    while (r < members && first_word(r) == seen) cuts[static_cast<std::size_t>(r++)] = pos;
    ++seen;
  }
  return cuts;
}

EncodedCorpus scatter_corpus(Communicator& comm, const EncodedCorpus* corpus) {
  check_root_argument(comm, corpus, "scatter_corpus");
  if (corpus != nullptr) {
    const std::span<const std::uint32_t> ids = corpus->ids();
    const std::vector<std::size_t> cuts = share_cuts(ids, comm.size());
    for (int r = 1; r < comm.size(); ++r) {
      const std::size_t begin = cuts[static_cast<std::size_t>(r)];
      const std::size_t end = cuts[static_cast<std::size_t>(r) + 1];
      const std::array<std::uint64_t, 1> n = {end - begin};
      comm.send(std::as_bytes(std::span(n)), r);
      comm.send(std::as_bytes(ids.subspan(begin, end - begin)), r);
    }
    const std::span<const std::uint32_t> mine = ids.first(cuts[1]);
    return EncodedCorpus::from_ids(std::vector<std::uint32_t>(mine.begin(), mine.end()));
  }
  std::vector<std::uint64_t> n(1);
  comm.receive(bytes_of(n), 0);
  std::vector<std::uint32_t> ids(n[0]);
  comm.receive(bytes_of(ids), 0);
  return EncodedCorpus::from_ids(std::move(ids));
}

}  // namespace w2v::distributed
