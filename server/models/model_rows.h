#pragma once
// How the model cache loads a model: its rows mapped from models/<id>/rows.w2vm
// (core/search/embeddings_file.h), which parses nothing and copies nothing. A model without that
// file (published before w2vd kept one, or whose file was removed) is parsed from its vectors.bin
// once, at its first load, and the file written beside it and mapped; when it cannot be written
// (a full disk, the model deleted meanwhile) the parsed copy serves, and the next load tries again.
// vectors.bin never changes after publication, so the file never goes stale.

#include <memory>
#include <string>

#include "core/search/embeddings.h"
#include "server/store/data_dir.h"

namespace w2v::server {

// Throws std::runtime_error saying which file is damaged or unreadable, and what to do.
std::shared_ptr<const Embeddings> load_model_rows(const DataDir& dirs, const std::string& model_id);

}  // namespace w2v::server
