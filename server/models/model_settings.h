#pragma once
// A model's settings (its name and the search /similar uses by default), changed through
// PATCH /v1/models/{id}. Which models search approximately by default is also kept in memory,
// so a query on a loaded model never reads the store: filled from the store at start, and
// updated under one lock with the store write, so the two never disagree.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "proto/records.h"
#include "proto/requests.h"
#include "server/store/store.h"

namespace w2v::server {

class ModelSettings {
 public:
  explicit ModelSettings(Store& store);

  // Whether /similar on this model uses its HNSW index when the request does not say.
  bool approximate_by_default(const std::string& model_id) const;
  // Applies patch to the model's record (store first, then memory); the updated record, or
  // nullopt when there is no such model.
  std::optional<proto::ModelRecord> update(const std::string& model_id,
                                           const proto::ModelPatch& patch);
  // Forgets a deleted model.
  void forget(const std::string& model_id);

 private:
  Store& store_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> approximate_;
};

}  // namespace w2v::server
