#pragma once
// A model's rows file, models/<id>/rows.w2vm (core/search/embeddings_file.h): written with the
// model, when a job's model or an import is published (write_model_rows), and mapped by the model
// cache at every load (load_model_rows), which parses nothing and copies nothing. A model without
// that file (its writing failed on a full disk, the file was removed, or an older w2vd published
// the model) is parsed from its vectors.bin once, at its first load, and the file written beside
// it and mapped; when it cannot be written (a full disk, the model deleted meanwhile) the parsed
// copy serves, and the next load tries again. vectors.bin never changes after publication, so the
// file never goes stale.

#include <memory>
#include <string>

#include "core/search/embeddings.h"
#include "server/store/data_dir.h"

namespace w2v::server {

// Writes emb as the rows file of the model whose directory dir is being assembled (a job's staged
// model, an import's staged directory), so that its first load maps it too. A failure (a full
// disk) is logged, naming model (its id or what it is), and leaves no file: the first load writes
// it then.
void write_model_rows(const std::string& dir, const Embeddings& emb, const std::string& model);

// Throws std::runtime_error saying which file is damaged or unreadable, and what to do.
std::shared_ptr<const Embeddings> load_model_rows(const DataDir& dirs, const std::string& model_id);

}  // namespace w2v::server
