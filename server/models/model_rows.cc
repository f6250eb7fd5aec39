#include "server/models/model_rows.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <system_error>

#include "core/io/vectors_io.h"
#include "core/search/embeddings_file.h"
#include "server/store/broken_rows.h"

namespace w2v::server {
namespace {

bool is_missing(const std::system_error& e) noexcept {
  return e.code() == std::errc::no_such_file_or_directory;
}

// Parses vectors.bin, writes the rows file from it and maps that.
std::shared_ptr<const Embeddings> convert(const DataDir& dirs, const std::string& model_id) {
  WordVectors wv = load_vectors_file(dirs.model_vectors(model_id), VectorsFormat::kBinary);
  auto parsed = std::make_shared<const Embeddings>(std::move(wv.words), std::move(wv.vectors));
  const std::string path = dirs.model_rows(model_id);
  try {
    save_embeddings_file(path, *parsed);
  } catch (const std::exception& e) {
    spdlog::warn("model {}: {} is not written ({}); serving the parsed vectors", model_id, path,
                 e.what());
    return parsed;
  }
  spdlog::info("model {}: rows written to {}", model_id, path);
  parsed.reset();  // the mapping replaces the parsed copy
  return std::make_shared<const Embeddings>(map_embeddings_file(path));
}

}  // namespace

void write_model_rows(const std::string& dir, const Embeddings& emb, const std::string& model) {
  const std::string path = dir + "/" + DataDir::kModelRowsName;
  try {
    save_embeddings_file(path, emb);
  } catch (const std::exception& e) {
    spdlog::warn("{}: {} is not written ({}); its first load will write it", model, path, e.what());
  }
}

std::shared_ptr<const Embeddings> load_model_rows(const DataDir& dirs,
                                                  const std::string& model_id) {
  const std::string path = dirs.model_rows(model_id);
  try {
    return std::make_shared<const Embeddings>(map_embeddings_file(path));
  } catch (const std::system_error& e) {
    if (!is_missing(e)) throw;
  } catch (const EmbeddingsFileError& e) {
    throw std::runtime_error(e.what() + std::string(kRowsFileRemedy));
  }
  return convert(dirs, model_id);
}

}  // namespace w2v::server
