#pragma once
// Jobs that start from a model ("init_model"): checking a request against its parent model when
// it is submitted, and loading the parent's files when the job runs.
//
// The model, loss and dimension come from the parent: a request that sets one of them to
// another value is refused, naming the field. A parent that kept its vectors only (imported, or
// trained by an older w2vd) fixes the dimension alone: its output weights start at zero, as
// word2vec initialises them, whatever the loss, so the job may choose the model and loss (by
// default the ones the parent was trained with, when it was).

#include <cstdint>

#include "core/train/continued_training.h"
#include "proto/records.h"
#include "proto/requests.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

// Fills job's init_model and vocabulary, sets in base (the values the request's parameters are
// settled over) the parameters that come from the parent, and returns the parent's record.
// Throws proto::ApiError 400 naming the problem: an unknown (or deleted) parent, a parameter
// that conflicts with it.
proto::ModelRecord apply_init_model(const Store& store, const proto::CreateJobRequest& request,
                                    proto::JobRecord& job, TrainParams& base);

// The most words a continued job's vocabulary can have: the parent's, plus (extend) the new
// corpus's words_at_min_count, within max_vocab (which never drops the parent's words).
std::uint64_t continued_vocabulary_bound(const proto::ModelRecord& parent, VocabularyMode mode,
                                         std::uint64_t words_at_min_count, std::int64_t max_vocab);

// Loads the parent model id's vectors and, when it kept it, its training state. Throws
// std::runtime_error naming the model when its files are missing or damaged.
ParentModel load_parent_model(const DataDir& dirs, const std::string& id);

}  // namespace w2v::server
