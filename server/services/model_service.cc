#include "server/services/model_service.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "proto/api_error.h"
#include "proto/json_text.h"
#include "server/models/model_rows.h"
#include "server/runtime/memory_budget.h"
#include "server/store/broken_rows.h"

namespace w2v::server {

using proto::ApiError;

ModelDraft::ModelDraft(const DataDir& dirs)
    : staged_(dirs, "the model"), upload_(staged_.file("upload")) {}

void ModelDraft::write(std::string_view bytes) {
  staged_.write([&] { upload_.write(bytes); });
}

proto::ModelRecord ModelService::get(const std::string& id) const {
  auto m = store_.model(id);
  if (!m) throw proto::not_found_error(proto::Resource::kModel, id);
  m->index = indexes_.status(id);
  return *m;
}

std::vector<proto::ModelRecord> ModelService::list() const {
  auto models = store_.models();
  for (auto& m : models) m.index = indexes_.status(m.id);
  return models;
}

proto::ModelRecord ModelService::import(ModelDraft& draft, proto::ModelFileFormat format,
                                        const std::string& name) {
  switch (format) {
    case proto::ModelFileFormat::kFastText:
      return import_fasttext(draft, name);
    case proto::ModelFileFormat::kText:
      return import_vectors(draft, VectorsFormat::kText, name);
    case proto::ModelFileFormat::kBinary:
      break;
  }
  return import_vectors(draft, VectorsFormat::kBinary, name);
}

proto::ModelRecord ModelService::import_vectors(ModelDraft& draft, VectorsFormat format,
                                                const std::string& name) {
  StagedDir& staged = draft.staged_;
  staged.write([&] { draft.upload_.commit(); });
  const std::string uploaded = draft.upload_.path();
  WordVectors wv;
  try {
    check_vectors_file_memory(uploaded, max_import_memory_);
    wv = load_vectors_file(uploaded, format);
  } catch (const VectorsFormatError& e) {
    std::string what = e.what();
    if (what.rfind(uploaded, 0) == 0) what = what.substr(uploaded.size() + 2);  // drop the path
    throw ApiError::bad_request(
        "not valid word2vec " + std::string(to_string(format)) + " vectors: " + what,
        "invalid_vectors");
  }
  DataDir::remove_all(uploaded);

  proto::ModelRecord m;
  m.vocab_size = wv.words.size();
  m.dim = static_cast<int>(wv.vectors.cols());
  const std::vector<std::string_view> words(wv.words.begin(), wv.words.end());
  m = publish_import(staged, std::move(m), name, [&](const std::string& dir) {
    save_vectors_file(dir + "/vectors.bin", words, wv.vectors, VectorsFormat::kBinary);
    write_model_rows(dir, Embeddings(std::move(wv.words), std::move(wv.vectors)), "an import");
  });
  spdlog::info("model {} imported: {} words x {}", m.id, m.vocab_size, m.dim);
  return m;
}

proto::ModelRecord ModelService::update(const std::string& id, const proto::ModelPatch& patch) {
  auto m = settings_.update(id, patch);
  if (!m) throw proto::not_found_error(proto::Resource::kModel, id);
  if (patch.search == proto::SearchMode::kApproximate && !cache_.loaded_index(id)) {
    indexes_.request(id, true);
  }
  m->index = indexes_.status(id);
  spdlog::info("model {} updated: name {}, search {}", id, proto::dump(proto::json_string(m->name)),
               name_of(proto::kSearchNames, m->search));
  return *m;
}

void ModelService::remove(const std::string& id) {
  switch (store_.delete_model(id)) {
    case DeleteResult::kNotFound:
      throw proto::not_found_error(proto::Resource::kModel, id);
    case DeleteResult::kInUse:
      throw ApiError::conflict("model " + id +
                                   " is the init_model of a queued or running job; cancel the "
                                   "job or wait for it to finish",
                               "model_in_use");
    case DeleteResult::kDeleted:
      break;
  }
  indexes_.forget(id);
  cache_.evict(id);
  settings_.forget(id);
  DataDir::remove_all(dirs_.model_dir(id));
  spdlog::info("model {} deleted", id);
}

std::string ModelService::binary_vectors(const proto::ModelRecord& m) {
  refuse_if_broken(m);
  // Sent as it is: a file gone or cut since the start-up sweep is found out here (its header).
  if (const auto why = model_files_problem(dirs_, m)) mark_model_broken(store_, m.id, *why);
  return dirs_.model_vectors(m.id);
}

std::optional<std::string> ModelService::written_text_vectors(const proto::ModelRecord& m) const {
  refuse_if_broken(m);
  std::string path = dirs_.model_text(m.id);
  if (std::filesystem::exists(path)) return path;
  return std::nullopt;
}

proto::ModelRecord ModelService::publish_import(
    StagedDir& staged, proto::ModelRecord m, const std::string& name,
    const std::function<void(const std::string& dir)>& write_files) {
  m.id = new_id("m");
  m.name = name.empty() ? m.id : name;
  m.source = proto::ModelSource::kImported;
  staged.write([&] { write_files(staged.path()); });
  staged.publish(dirs_.model_dir(m.id));
  m.created_at = proto::now_rfc3339();
  staged.record([&] { store_.insert_model(m); });
  return m;
}

std::string ModelService::export_once(const std::string& id, const std::string& path,
                                      const std::function<void()>& write) {
  std::unique_lock lock(exports_mutex_);
  export_done_.wait(lock, [&] { return exporting_.count(id) == 0; });
  if (std::filesystem::exists(path)) return path;
  exporting_.insert(id);
  lock.unlock();
  struct Release {
    ModelService& service;
    const std::string& id;
    ~Release() {
      {
        const std::lock_guard released(service.exports_mutex_);
        service.exporting_.erase(id);
      }
      service.export_done_.notify_all();
    }
  } release{*this, id};
  try {
    write();
  } catch (const std::exception&) {
    // Deleted while it was written (its directory went with it)?
    if (!store_.model(id)) throw proto::not_found_error(proto::Resource::kModel, id);
    throw;
  }
  return path;
}

std::string ModelService::text_vectors(const std::string& id) {
  const std::string path = dirs_.model_text(id);
  return export_once(id, path, [&] {
    // The cache asks the store: a model deleted since the request began is not exported.
    const auto emb = cache_.get(id);
    if (!emb) throw proto::not_found_error(proto::Resource::kModel, id);
    const std::vector<std::string_view> words = emb->words();
    save_vectors_file(path, words, emb->vectors(), VectorsFormat::kText);
  });
}

}  // namespace w2v::server
