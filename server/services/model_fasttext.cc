// ModelService's fastText side: importing a fastText model file (.bin) and exporting a model as
// one (core/train/fasttext_model.h maps the two).

#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/io/fasttext_bin.h"
#include "core/train/fasttext_model.h"
#include "core/train/training_state.h"
#include "proto/api_error.h"
#include "server/models/model_rows.h"
#include "server/runtime/memory_budget.h"
#include "server/services/model_service.h"
#include "server/store/broken_rows.h"

namespace w2v::server {

using proto::ApiError;

namespace {

// What an import of a file of file_bytes holds at its peak: the file's matrices as read, the
// composed vectors (at most half the file, the output matrix having as many rows) and their
// 8-bit search copy (an eighth of the file) written into the rows file.
constexpr std::uint64_t kImportBytesPerFileByte = 2;

}  // namespace

proto::ModelRecord ModelService::import_fasttext(ModelDraft& draft, const std::string& name) {
  StagedDir& staged = draft.staged_;
  staged.write([&] { draft.upload_.commit(); });
  const std::string uploaded = draft.upload_.path();
  const std::uint64_t file_bytes = std::filesystem::file_size(uploaded);
  if (file_bytes > max_import_memory_ / kImportBytesPerFileByte) {
    throw ApiError::bad_request("the fastText model (" + format_bytes(file_bytes) +
                                    ") needs about " +
                                    format_bytes(file_bytes * kImportBytesPerFileByte) +
                                    " of memory to import, more than this server's limit of " +
                                    format_bytes(max_import_memory_) + " (--max-job-memory)",
                                "model_too_large");
  }
  ConvertedModel model;
  try {
    model = from_fasttext(load_fasttext_file(uploaded));
  } catch (const VectorsFormatError& e) {
    std::string what = e.what();
    if (what.rfind(uploaded, 0) == 0) what = what.substr(uploaded.size() + 2);  // drop the path
    throw ApiError::bad_request("not a valid fastText model: " + what, "invalid_vectors");
  } catch (const std::invalid_argument& e) {
    throw ApiError::bad_request(std::string("not a valid fastText model: ") + e.what(),
                                "invalid_vectors");
  }
  DataDir::remove_all(uploaded);

  proto::ModelRecord m;
  m.vocab_size = model.words.size();
  m.dim = static_cast<int>(model.vectors.cols());
  m.params = model.params;  // what the file says it was trained with
  m.weights = proto::ModelWeights::kFull;
  const std::vector<std::string_view> words(model.words.begin(), model.words.end());
  m = publish_import(staged, std::move(m), name, [&](const std::string& dir) {
    save_vectors_file(dir + "/vectors.bin", words, model.vectors, VectorsFormat::kBinary);
    save_training_state(dir + "/training_state.bin", words, model.state);
    write_model_rows(dir, Embeddings(std::move(model.words), std::move(model.vectors)),
                     "a fastText import");
  });
  spdlog::info("model {} imported from fastText: {} words x {}, n-grams {}..{} in {} buckets", m.id,
               m.vocab_size, m.dim, model.state.subwords.minn, model.state.subwords.maxn,
               model.state.subwords.enabled() ? model.state.subwords.bucket : 0);
  return m;
}

std::string ModelService::fasttext_file(const proto::ModelRecord& m) {
  refuse_if_broken(m);
  const std::string path = dirs_.model_fasttext(m.id);
  return export_once(m.id, path, [&] {
    const auto emb = cache_.get(m.id);
    if (!emb) throw proto::not_found_error(proto::Resource::kModel, m.id);
    const std::vector<std::string_view> words = emb->words();
    std::optional<TrainingState> state;
    if (m.weights == proto::ModelWeights::kFull) {
      try {
        state = load_training_state(dirs_.model_training_state(m.id), words, emb->dim());
      } catch (const TrainingStateError& e) {
        mark_model_broken(store_, m.id, e.what());  // a 409 model_broken
      }
    }
    save_fasttext_model(path, words, emb->vectors(), state ? &*state : nullptr,
                        m.params.value_or(TrainParams{}));
  });
}

}  // namespace w2v::server
