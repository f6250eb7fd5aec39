#include "server/store/broken_rows.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#include "core/io/vectors_io.h"
#include "core/search/embeddings_file.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

// "<path> is missing" or "<path> cannot be read: <reason>" when the file cannot be opened.
std::optional<std::string> unreadable(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return path + " is missing";
  if (!fs::is_regular_file(path, ec)) return path + " is not a file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + " cannot be read: " + std::strerror(errno);
  return std::nullopt;
}

std::string truncated(const std::string& path, std::uint64_t size, std::uint64_t expected,
                      const std::string& because) {
  return path + " is truncated (" + std::to_string(size) + " bytes; " + because + " " +
         std::to_string(expected) + ")";
}

}  // namespace

std::optional<std::string> corpus_files_problem(const DataDir& dirs, const proto::CorpusRecord& c) {
  const std::string text = dirs.corpus_text(c.id), counts = dirs.corpus_counts(c.id);
  for (const std::string& f : {text, counts}) {
    if (auto why = unreadable(f)) return why;
  }
  std::error_code ec;
  const std::uint64_t size = fs::file_size(text, ec);
  if (!ec && size != c.bytes) {
    if (size < c.bytes) return truncated(text, size, c.bytes, "the corpus had");
    return text + " is longer than the corpus (" + std::to_string(size) + " bytes, not " +
           std::to_string(c.bytes) + ")";
  }
  std::ifstream in(counts, std::ios::binary);
  std::string magic;
  if (!(in >> magic) || magic != "w2v-word-counts") {
    return counts + " is not a word counts file (no header)";
  }
  return std::nullopt;
}

std::optional<std::string> model_files_problem(const DataDir& dirs, const proto::ModelRecord& m) {
  const std::string path = dirs.model_vectors(m.id);
  if (auto why = unreadable(path)) return why;
  VectorsHeader h;
  try {
    h = read_vectors_header(path);
  } catch (const std::exception& e) {
    return path + " is not a word2vec file: " + e.what();
  }
  if (h.count != m.vocab_size || h.dim != static_cast<std::uint64_t>(m.dim)) {
    return path + " holds " + std::to_string(h.count) + " words x dim " + std::to_string(h.dim) +
           ", not the model's " + std::to_string(m.vocab_size) + " x " + std::to_string(m.dim);
  }
  // Every binary row is at least a one-byte word, a space and dim floats.
  const std::uint64_t least = h.count * (2 + h.dim * sizeof(float));
  if (h.file_bytes < least) return truncated(path, h.file_bytes, least, "its rows need at least");
  return model_rows_problem(dirs, m);
}

std::optional<std::string> model_rows_problem(const DataDir& dirs, const proto::ModelRecord& m) {
  const std::string path = dirs.model_rows(m.id);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;  // made at the next load
  EmbeddingsFileInfo info;
  try {
    info = inspect_embeddings_file(path);
  } catch (const std::exception& e) {
    return std::string(e.what()) + kRowsFileRemedy;
  }
  if (info.words != m.vocab_size || info.dim != static_cast<std::uint64_t>(m.dim)) {
    return path + " holds " + std::to_string(info.words) + " words x dim " +
           std::to_string(info.dim) + ", not the model's " + std::to_string(m.vocab_size) + " x " +
           std::to_string(m.dim) + kRowsFileRemedy;
  }
  return std::nullopt;
}

proto::ApiError corpus_broken_error(const std::string& id, const std::string& why) {
  return proto::ApiError::conflict(
      "corpus " + id + " is broken: " + why +
          "; restore its files and restart w2vd, or delete it (DELETE /v1/corpora/" + id + ")",
      "corpus_broken");
}

proto::ApiError model_broken_error(const std::string& id, const std::string& why) {
  return proto::ApiError::conflict(
      "model " + id + " is broken: " + why +
          "; restore its files and restart w2vd, or delete it (DELETE /v1/models/" + id + ")",
      "model_broken");
}

void refuse_if_broken(const proto::CorpusRecord& c) {
  if (c.broken) throw corpus_broken_error(c.id, *c.broken);
}

void refuse_if_broken(const proto::ModelRecord& m) {
  if (m.broken) throw model_broken_error(m.id, *m.broken);
}

void mark_model_broken(Store& store, const std::string& id, const std::string& why) {
  if (!store.set_model_broken(id, why)) {
    throw proto::not_found_error(proto::Resource::kModel, id);  // deleted meanwhile
  }
  spdlog::error("model {} is broken: {}", id, why);
  throw model_broken_error(id, why);
}

void mark_model_broken_after_failed_load(Store& store, const std::string& id,
                                         const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) throw;
  mark_model_broken(store, id, std::string("its files cannot be loaded: ") + e.what());
}

}  // namespace w2v::server
