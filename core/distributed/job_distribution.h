#pragma once
// How rank 0 hands the other members what they train on, so they need no copy of the corpus
// and no shared filesystem: the vocabulary (every member builds the same samplers from it) and
// each member's contiguous share of the encoded corpus, split evenly by words (share_cuts).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/distributed/communicator.h"
#include "core/vocab/encoded_corpus.h"
#include "core/vocab/vocabulary.h"

namespace w2v::distributed {

// Collective. Rank 0 passes its vocabulary, the others nullptr; every member returns rank 0's
// vocabulary (same words, order and counts).
Vocabulary broadcast_vocabulary(Communicator& comm, const Vocabulary* vocab);

// Where each member's share of ids begins: cuts[r] for member r, and cuts[members] ==
// ids.size(); member r trains ids[cuts[r], cuts[r + 1]). The shares are contiguous and cut by
// position in the token stream, whatever the lines (as word2vec.c shards by byte offset): their
// numbers of words (sentence ends not counted) differ by at most one, so a corpus of one line
// splits as evenly as one of many. A cut falls just before a word, so a sentence cut there
// is trained as two. With fewer words than members, some shares have no word. Throws
// std::invalid_argument when members < 1.
std::vector<std::size_t> share_cuts(std::span<const std::uint32_t> ids, int members);

// Collective. Rank 0 passes the whole corpus, the others nullptr; rank 0 sends every other
// member its share (share_cuts) and every member returns its own share (rank 0's is a copy of
// its part).
EncodedCorpus scatter_corpus(Communicator& comm, const EncodedCorpus* corpus);

}  // namespace w2v::distributed
