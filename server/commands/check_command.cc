#include "server/commands/check_command.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "server/store/consistency.h"
#include "server/store/data_dir.h"
#include "server/store/store.h"

namespace w2v::server {
namespace {

// `w2vd check`: prints every inconsistency between the store and the files, the models' rows
// files and training states verified whole; exit 1 when there is one, 2 when the data directory
// cannot be read.
int run_check(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec) || !fs::exists(data_dir + "/w2vd.sqlite", ec)) {
    std::cerr << "w2vd check: " << data_dir << " is not a w2vd data directory (no w2vd.sqlite)\n";
    return 2;
  }
  DataDir dirs(data_dir);
  Store store(dirs.database());
  std::vector<Finding> findings = check_data_dir(store, dirs);
  for (Finding& f : verify_model_files(store, dirs, findings)) findings.push_back(std::move(f));
  for (const Finding& f : findings) std::cout << f.message << '\n';
  std::cout << (findings.empty() ? "w2vd check: " + data_dir + " is consistent ("
                                 : "w2vd check: " + std::to_string(findings.size()) +
                                       " inconsistencies in " + data_dir + " (")
            << store.corpora().size() << " corpora, " << store.models().size() << " models, "
            << store.jobs().size() << " jobs)\n";
  return findings.empty() ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto data_dir = std::make_shared<std::string>("./data");
  CLI::App* check = app.add_subcommand(
      "check",
      "report every inconsistency between the store and the files of a data directory (exit 1 "
      "when there is one), reading the models' rows files and training states whole for their "
      "checksums; run it on a "
      "stopped server for an exact answer");
  check->add_option("--data-dir", *data_dir, "the data directory to check")
      ->envname("W2VD_DATA_DIR")
      ->capture_default_str();
  check->callback([data_dir, &exit_code] {
    try {
      exit_code = run_check(*data_dir);
    } catch (const std::exception& e) {
      std::cerr << "w2vd check: " << e.what() << '\n';
      exit_code = 2;
    }
  });
}

}  // namespace w2v::server
