#pragma once
// The layout of --data-dir:
//   w2vd.sqlite                      metadata (WAL mode)
//   corpora/<id>/text                the uploaded text, decompressed
//   corpora/<id>/counts              its word counts (core WordCounts format)
//   jobs/<id>/encoded.bin            the job's encoded corpus (kept until the job ends)
//   jobs/<id>/checkpoint.bin         the weights at the last finished epoch
//   jobs/<id>/model/                 the finished model's files, until published under models/
//   models/<id>/vectors.bin          word2vec binary vectors
//   models/<id>/training_state.bin   its output weights and word counts
//   (core/train/training_state.h),
//                                    absent when the model keeps its vectors only
//   models/<id>/vectors.txt          word2vec text vectors, made on the first text export
//   models/<id>/fasttext.bin         its fastText model file, made on the first fasttext export
//   models/<id>/hnsw.bin             its approximate-search index, made on the first exact=false
//   models/<id>/rows.w2vm            its rows, norms, 8-bit copy and word table in w2vd's own
//                                    layout (core/search/embeddings_file.h), mapped at load;
//                                    written with the model (or, when it is missing, from
//                                    vectors.bin at the first load)
//   tmp/                             uploads in progress; emptied at start
//   token                            the generated token, when w2vd made one (0600)
// Blobs are written to temporary names, fsynced and renamed (core/base/atomic_file.h); a directory
// is assembled under tmp/ and renamed into place whole. Directories are 0700 and files 0600
// (w2vd also sets its umask to 077). server/store/consistency.h checks all this against the
// store and sweeps what a crash leaves.

#include <string>
#include <string_view>

namespace w2v::server {

class DataDir {
 public:
  // Creates root and its subdirectories (mode 0700) when missing. Throws std::runtime_error if
  // it cannot.
  explicit DataDir(std::string root);

  const std::string& root() const noexcept { return root_; }
  std::string database() const { return root_ + "/w2vd.sqlite"; }
  // The token w2vd generated for itself (server/access/access_token.h), when it did.
  std::string token_file() const { return root_ + "/token"; }
  std::string corpus_dir(const std::string& id) const { return root_ + "/corpora/" + id; }
  std::string corpus_text(const std::string& id) const { return corpus_dir(id) + "/text"; }
  std::string corpus_counts(const std::string& id) const { return corpus_dir(id) + "/counts"; }
  std::string job_dir(const std::string& id) const { return root_ + "/jobs/" + id; }
  std::string job_encoded(const std::string& id) const { return job_dir(id) + "/encoded.bin"; }
  std::string job_checkpoint(const std::string& id) const {
    return job_dir(id) + "/checkpoint.bin";
  }
  // A finished job's model, staged for publication (server/jobs/model_publication.h).
  std::string job_model(const std::string& id) const { return job_dir(id) + "/model"; }
  // A distributed job's record as rank 0 reads it, and the lock rank 0 holds while it runs
  // (server/mpi/mpi_job_run.h).
  std::string job_record(const std::string& id) const { return job_dir(id) + "/job.json"; }
  std::string job_rank0_lock(const std::string& id) const { return job_dir(id) + "/rank0.lock"; }
  std::string model_dir(const std::string& id) const { return root_ + "/models/" + id; }
  std::string model_vectors(const std::string& id) const { return model_dir(id) + "/vectors.bin"; }
  std::string model_text(const std::string& id) const { return model_dir(id) + "/vectors.txt"; }
  std::string model_fasttext(const std::string& id) const {
    return model_dir(id) + "/fasttext.bin";
  }
  std::string model_training_state(const std::string& id) const {
    return model_dir(id) + "/training_state.bin";
  }
  std::string model_hnsw(const std::string& id) const { return model_dir(id) + "/hnsw.bin"; }
  // The rows file's name inside a model's directory, also while the directory is being assembled.
  static constexpr const char* kModelRowsName = "rows.w2vm";
  std::string model_rows(const std::string& id) const {
    return model_dir(id) + "/" + kModelRowsName;
  }

  // A new empty directory under tmp/.
  std::string make_temp_dir() const;
  // Renames a directory made under tmp/ to dest (which must not exist) and syncs the parent.
  void publish_dir(const std::string& temp_dir, const std::string& dest) const;
  // Removes a file or directory tree; missing is fine.
  static void remove_all(const std::string& path) noexcept;
  // Empties tmp/ (leftovers of uploads cut off by a crash).
  void clean_temp() const;

 private:
  std::string root_;
};

// A new opaque, URL-safe id: prefix + "_" + 20 random base32 characters, e.g. "c_k3v0...".
std::string new_id(const char* prefix);
// Whether s has the shape of an id with this prefix: prefix, "_", then 1 to 64 characters of
// [a-z0-9] (so it names one directory entry and nothing else). Checked before a path is built.
bool is_id(std::string_view s, std::string_view prefix);

}  // namespace w2v::server
