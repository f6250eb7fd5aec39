// proto/openapi.yaml documents exactly the routes the server registers.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "server/handlers/routes.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

// (METHOD, path) of every operation under "paths:" in the YAML text.
std::set<std::pair<std::string, std::string>> documented_operations(const std::string& yaml) {
  std::set<std::pair<std::string, std::string>> ops;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false;
  const std::regex path_line(R"(^  (/[^:\s]*):\s*$)");
  const std::regex method_line(R"(^    (get|post|put|patch|delete|head|options):\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
      continue;
    }
    if (in_paths && !line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
    if (!in_paths) continue;
    if (std::regex_match(line, m, path_line)) {
      path = m[1];
    } else if (std::regex_match(line, m, method_line) && !path.empty()) {
      std::string method = m[1];
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ops.emplace(method, path);
    }
  }
  return ops;
}

TEST(OpenApi, DocumentsEveryRegisteredRouteAndNothingElse) {
  w2v::testing::TempDir tmp("openapi");
  const auto dir = std::filesystem::path(tmp.path()) / "data";
  {
    ServerConfig config;
    DataDir dirs(dir.string());
    Store store(dirs.database());
    JobManager jobs(store, dirs, {});
    ModelCache models(dirs, 1 << 20);
    Metrics metrics;
    ModelSettings settings(store);
    UploadCounting counting(config.max_count_memory);
    CorpusService corpus_service(dirs, store, counting);
    IndexBuilder indexes(dirs, models, 1);
    ModelService model_service(dirs, store, models, settings, indexes, 1 << 20);
    BlockingPool pool(1, 0);
    AppContext app{config,  dirs,     store, jobs,           models,        indexes,
                   metrics, settings, pool,  corpus_service, model_service, counting};
    Router router;
    add_all_routes(router, app);

    const auto documented = documented_operations(kOpenApiYaml);
    std::set<std::pair<std::string, std::string>> registered;
    for (const Route& r : router.routes()) registered.emplace(r.method, r.pattern);
    ASSERT_GE(registered.size(), 20u);
    for (const auto& op : registered) {
      EXPECT_TRUE(documented.count(op))
          << op.first << " " << op.second << " is not in openapi.yaml";
    }
    for (const auto& op : documented) {
      EXPECT_TRUE(registered.count(op))
          << op.first << " " << op.second << " is documented but not served";
    }
  }
}

}  // namespace
}  // namespace w2v::server
