#include "server/models/model_settings.h"

namespace w2v::server {

ModelSettings::ModelSettings(Store& store) : store_(store) {
  for (const auto& m : store_.models()) {
    if (m.search == proto::SearchMode::kApproximate) approximate_.insert(m.id);
  }
}

bool ModelSettings::approximate_by_default(const std::string& model_id) const {
  std::lock_guard lock(mutex_);
  return approximate_.count(model_id) != 0;
}

std::optional<proto::ModelRecord> ModelSettings::update(const std::string& model_id,
                                                        const proto::ModelPatch& patch) {
  std::lock_guard lock(mutex_);
  auto m = store_.model(model_id);
  if (!m) return std::nullopt;
  if (patch.name) m->name = *patch.name;
  if (patch.search) m->search = *patch.search;
  if (!store_.update_model(*m)) return std::nullopt;  // deleted meanwhile
  if (m->search == proto::SearchMode::kApproximate) {
    approximate_.insert(model_id);
  } else {
    approximate_.erase(model_id);
  }
  return m;
}

void ModelSettings::forget(const std::string& model_id) {
  std::lock_guard lock(mutex_);
  approximate_.erase(model_id);
}

}  // namespace w2v::server
