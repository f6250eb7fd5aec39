#pragma once
// How rank 0 hands the other members what they train on, so they need no copy of the corpus
// and no shared filesystem: the vocabulary (every member builds the same samplers from it) and
// each member's contiguous share of the encoded corpus.

#include <cstddef>
#include <span>
#include <utility>

#include "core/distributed/communicator.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v::distributed {

// Collective. Rank 0 passes its vocabulary, the others nullptr; every member returns rank 0's
// vocabulary (same words, order and counts).
Vocabulary broadcast_vocabulary(Communicator& comm, const Vocabulary* vocab);

// Positions [begin, end) of member `rank`'s share of ids among `members`: contiguous, about
// equal, each cut moved forward to just after a sentence end so no sentence is split.
std::pair<std::size_t, std::size_t> share_bounds(std::span<const std::uint32_t> ids, int rank,
                                                 int members);

// Collective. Rank 0 passes the whole corpus, the others nullptr; rank 0 sends every other
// member its share and every member returns its own share (rank 0's is a copy of its part).
EncodedCorpus scatter_corpus(Communicator& comm, const EncodedCorpus* corpus);

}  // namespace w2v::distributed
