#pragma once
// Models' records and files: what the /v1/models handlers do, below HTTP (queries on a model's
// vectors go to server/models/model_cache.h). An import is received as a draft (the body to a
// file under tmp/), then parsed, rewritten as binary vectors, published into models/<id>/ and
// recorded, in that order (server/services/staged_dir.h). Deleting removes the row first, then
// the loaded copy, the settings and the files. The text export is written once, on the first
// request for it; concurrent requests for the same model wait for that writer.
//
// Errors are proto::ApiError with the API's codes: 404 model_not_found, 409 model_in_use and
// model_broken, 400 invalid_vectors and model_too_large, 507 insufficient_storage (nothing left
// behind), and the store's 503. import() and text_vectors() read and write whole files: call
// them on the blocking pool; the others are brief.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/vectors_io.h"
#include "proto/records.h"
#include "proto/requests.h"
#include "server/models/index_builder.h"
#include "server/models/model_cache.h"
#include "server/models/model_settings.h"
#include "server/services/staged_dir.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {

// An import being received. Not thread-safe: one writer at a time. Destroyed unpublished, it
// leaves nothing behind.
class ModelDraft {
 public:
  explicit ModelDraft(const DataDir& dirs);
  // Appends the body's bytes. 507 on a full disk, the draft discarded.
  void write(std::string_view bytes);
  void discard() noexcept { staged_.discard(); }

 private:
  friend class ModelService;
  StagedDir staged_;
  AtomicFile& upload_;
};

class ModelService {
 public:
  // max_import_memory bounds an imported model's vectors (--max-job-memory, resolved).
  ModelService(const DataDir& dirs, Store& store, ModelCache& cache, ModelSettings& settings,
               IndexBuilder& indexes, std::uint64_t max_import_memory)
      : dirs_(dirs),
        store_(store),
        cache_(cache),
        settings_(settings),
        indexes_(indexes),
        max_import_memory_(max_import_memory) {}

  // Records with their index's status (IndexBuilder::status).
  proto::ModelRecord get(const std::string& id) const;  // 404 model_not_found
  std::vector<proto::ModelRecord> list() const;         // oldest first

  ModelDraft draft() const { return ModelDraft(dirs_); }
  // Parses the draft as word2vec vectors or a fastText model in format (400 invalid_vectors
  // saying what and where, 400 model_too_large), stores them as binary vectors (a fastText
  // model also as its training state: counts, output rows, n-gram settings and rows) and records
  // a new model named name (its id when empty). Returns the stored record.
  proto::ModelRecord import(ModelDraft& draft, proto::ModelFileFormat format,
                            const std::string& name);

  // Applies a PATCH (name, search); the updated record. Setting the search to approximate
  // starts the index's build (again, if it failed).
  proto::ModelRecord update(const std::string& id, const proto::ModelPatch& patch);
  // Deletes the row (409 model_in_use while a queued or running job starts from it), then
  // stops its index build, drops the loaded copy, the settings and the files.
  void remove(const std::string& id);

  // The binary vectors file of m, to send as it is: 409 model_broken when m is marked broken or
  // its file is found gone or cut (the mark set then).
  std::string binary_vectors(const proto::ModelRecord& m);
  // The text export of m when it has been written, nullopt when text_vectors() must write it
  // (409 model_broken when m is marked broken).
  std::optional<std::string> written_text_vectors(const proto::ModelRecord& m) const;
  // The text export of model id, written first when it is not yet (blocking; loads the model).
  std::string text_vectors(const std::string& id);
  // The fastText export of m (its .bin: server/services/model_fasttext.cc), written first when
  // it is not yet (blocking; loads the model and its training state).
  std::string fasttext_file(const proto::ModelRecord& m);

 private:
  const DataDir& dirs_;
  Store& store_;
  ModelCache& cache_;
  ModelSettings& settings_;
  // import() of each kind: word2vec vectors here, a fastText model in model_fasttext.cc.
  proto::ModelRecord import_vectors(ModelDraft& draft, VectorsFormat format,
                                    const std::string& name);
  proto::ModelRecord import_fasttext(ModelDraft& draft, const std::string& name);
  // Records an import: m with its id, name (name, else its id) and source settled, the files
  // write_files puts in the staged directory published as the model's, then the row.
  proto::ModelRecord publish_import(StagedDir& staged, proto::ModelRecord m,
                                    const std::string& name,
                                    const std::function<void(const std::string& dir)>& write_files);
  // Runs write() unless path exists, one writer per model id at a time (the others wait for
  // it), and returns path: the exports made on their first request.
  std::string export_once(const std::string& id, const std::string& path,
                          const std::function<void()>& write);

  IndexBuilder& indexes_;
  std::uint64_t max_import_memory_;
  // Models whose export is being written: one writer per model, the others wait.
  std::mutex exports_mutex_;
  std::condition_variable export_done_;
  std::set<std::string> exporting_;
};

}  // namespace w2v::server
