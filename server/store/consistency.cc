#include "server/store/consistency.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "core/search/embeddings_file.h"
#include "core/train/training_state.h"
#include "server/store/broken_rows.h"

namespace w2v::server {
namespace fs = std::filesystem;
namespace {

using Kind = Finding::Kind;

bool is_temp_name(const std::string& name) {
  return name.find(".tmp.") != std::string::npos;
}

// The entries of dir (none when it cannot be listed).
std::vector<fs::path> entries(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    out.push_back(it->path());
  }
  return out;
}

// Temporary files inside a published directory (an export or index write cut off).
void find_temp_files(const std::string& dir, std::vector<Finding>& out) {
  for (const fs::path& p : entries(dir)) {
    if (is_temp_name(p.filename().string())) {
      out.push_back({Kind::kTempFile, p.string(), "temporary file " + p.string() + " left over"});
    }
  }
}

// Directories of `sub` whose names are not in `known`; temp files in the known ones.
void find_orphans(const std::string& sub_dir, const std::set<std::string>& known,
                  const std::string& what, std::vector<Finding>& out) {
  for (const fs::path& p : entries(sub_dir)) {
    const std::string name = p.filename().string();
    if (known.count(name) == 0) {
      out.push_back({Kind::kOrphan, p.string(),
                     p.string() + " belongs to no " + what + " in the store (orphan)"});
    } else {
      find_temp_files(p.string(), out);
    }
  }
}

// A finding for a row whose files are damaged, or that is marked broken.
template <class Record>
void broken_row(const char* what, const Record& r, const std::optional<std::string>& problem,
                const std::string& dir, std::vector<Finding>& out) {
  if (problem) {
    out.push_back({Kind::kBrokenFiles, dir, std::string(what) + " " + r.id + ": " + *problem});
  } else if (r.broken) {
    out.push_back({Kind::kBrokenFiles, dir,
                   std::string(what) + " " + r.id + " is marked broken (" + *r.broken +
                       "); its files look whole now: a restart of w2vd examines them again"});
  }
}

// Brings the row's broken mark in line with its files, logging the change.
template <class Record, class Mark>
void update_mark(const char* what, const Record& r, const std::optional<std::string>& problem,
                 Mark mark) {
  if (problem == r.broken) return;
  if (problem) {
    spdlog::error("start-up sweep: {} {} is broken: {}", what, r.id, *problem);
  } else {
    spdlog::info("start-up sweep: the files of {} {} are whole again", what, r.id);
  }
  mark(r.id, problem);
}

}  // namespace

std::vector<Finding> check_data_dir(Store& store, const DataDir& dirs) {
  std::vector<Finding> out;
  const auto corpora = store.corpora();
  const auto models = store.models();
  const auto jobs = store.jobs();

  std::set<std::string> corpus_ids, model_ids, live_job_ids;
  for (const auto& c : corpora) {
    corpus_ids.insert(c.id);
    broken_row("corpus", c, corpus_files_problem(dirs, c), dirs.corpus_dir(c.id), out);
  }
  for (const auto& m : models) {
    model_ids.insert(m.id);
    broken_row("model", m, model_files_problem(dirs, m), dirs.model_dir(m.id), out);
  }
  for (const auto& j : jobs) {
    if (proto::is_terminal(j.status)) continue;
    live_job_ids.insert(j.id);
    if (corpus_ids.count(j.corpus_id) == 0) {
      out.push_back({Kind::kDanglingJob, dirs.corpus_dir(j.corpus_id),
                     "job " + j.id + " is " + std::string(proto::to_string(j.status)) +
                         " on corpus " + j.corpus_id + ", which is not in the store"});
    }
  }
  find_orphans(dirs.root() + "/corpora", corpus_ids, "corpus", out);
  find_orphans(dirs.root() + "/models", model_ids, "model", out);
  find_orphans(dirs.root() + "/jobs", live_job_ids, "queued or running job", out);
  for (const fs::path& p : entries(dirs.root() + "/tmp")) {
    out.push_back({Kind::kTempFile, p.string(), "temporary " + p.string() + " left over"});
  }
  return out;
}

std::vector<Finding> verify_model_files(Store& store, const DataDir& dirs,
                                        const std::vector<Finding>& found) {
  std::vector<Finding> out;
  for (const auto& m : store.models()) {
    const std::string dir = dirs.model_dir(m.id);
    const bool known = std::any_of(found.begin(), found.end(), [&](const Finding& f) {
      return f.kind == Kind::kBrokenFiles && f.path == dir;
    });
    if (known) continue;
    // Reads the file at path whole with verify when it exists; a failure is a finding.
    const auto check = [&](const std::string& path, auto&& verify, const char* remedy) {
      std::error_code ec;
      if (!fs::exists(path, ec)) return;
      try {
        verify(path);
      } catch (const std::exception& e) {
        out.push_back({Kind::kBrokenFiles, dir, "model " + m.id + ": " + e.what() + remedy});
      }
    };
    check(dirs.model_rows(m.id), verify_embeddings_file, kRowsFileRemedy);
    check(dirs.model_training_state(m.id), verify_training_state, kTrainingStateRemedy);
  }
  return out;
}

std::vector<Finding> sweep_data_dir(Store& store, const DataDir& dirs) {
  for (const auto& c : store.corpora()) {
    update_mark("corpus", c, corpus_files_problem(dirs, c),
                [&](const std::string& id, const auto& why) { store.set_corpus_broken(id, why); });
  }
  for (const auto& m : store.models()) {
    update_mark("model", m, model_files_problem(dirs, m),
                [&](const std::string& id, const auto& why) { store.set_model_broken(id, why); });
  }
  std::vector<Finding> found = check_data_dir(store, dirs);
  for (const Finding& f : found) {
    switch (f.kind) {
      case Kind::kOrphan:
      case Kind::kTempFile:
        spdlog::warn("start-up sweep: removing {}", f.message);
        DataDir::remove_all(f.path);
        break;
      case Kind::kBrokenFiles:
        break;  // marked and logged above
      case Kind::kDanglingJob:
        spdlog::error("start-up sweep: {}", f.message);
        break;
    }
  }
  return found;
}

}  // namespace w2v::server
