#include "server/store/data_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

class DataDirTest : public ::testing::Test {
 protected:
  w2v::testing::TempDir tmp_{"data-dir"};
  const fs::path base_ = tmp_.path();
};

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  ASSERT_TRUE(out.good()) << path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

// prefix + "_" + 20 characters of lowercase base32.
bool well_formed(const std::string& id, const std::string& prefix) {
  if (id.size() != prefix.size() + 1 + 20) return false;
  if (id.compare(0, prefix.size() + 1, prefix + "_") != 0) return false;
  return std::all_of(id.begin() + static_cast<std::ptrdiff_t>(prefix.size() + 1), id.end(),
                     is_id_char);
}

TEST_F(DataDirTest, CreatesItsLayout) {
  const fs::path root = base_ / "nested" / "data";
  DataDir dirs(root.string());
  EXPECT_EQ(dirs.root(), root.string());
  for (const char* sub : {"corpora", "jobs", "models", "tmp"}) {
    EXPECT_TRUE(fs::is_directory(root / sub)) << sub;
  }
  EXPECT_EQ(dirs.database(), (root / "w2vd.sqlite").string());
  EXPECT_EQ(dirs.corpus_text("c_1"), (root / "corpora" / "c_1" / "text").string());
  EXPECT_EQ(dirs.job_checkpoint("j_1"), (root / "jobs" / "j_1" / "checkpoint.bin").string());
  EXPECT_EQ(dirs.model_vectors("m_1"), (root / "models" / "m_1" / "vectors.bin").string());

  // Opening an existing directory keeps what is in it; a trailing slash is the same root.
  write_file(root / "models" / "keep", "x");
  DataDir again(root.string() + "/");
  EXPECT_EQ(again.root(), root.string());
  EXPECT_EQ(again.database(), dirs.database());
  EXPECT_EQ(read_file(root / "models" / "keep"), "x");
}

TEST_F(DataDirTest, RefusesUnusableRoots) {
  EXPECT_THROW(DataDir(""), std::runtime_error);
  fs::create_directories(base_);
  write_file(base_ / "file", "not a directory");
  EXPECT_THROW(DataDir((base_ / "file").string()), std::runtime_error);
  EXPECT_THROW(DataDir((base_ / "file" / "below").string()), std::runtime_error);
}

TEST_F(DataDirTest, TempDirsArePublishedWhole) {
  DataDir dirs((base_ / "data").string());
  const std::string a = dirs.make_temp_dir();
  const std::string b = dirs.make_temp_dir();
  EXPECT_NE(a, b);
  for (const auto& t : {a, b}) {
    EXPECT_TRUE(fs::is_directory(t));
    EXPECT_TRUE(fs::is_empty(t));
    EXPECT_EQ(fs::path(t).parent_path(), base_ / "data" / "tmp");
  }

  write_file(fs::path(a) / "vectors.bin", "vectors");
  const std::string dest = dirs.model_dir("m_1");
  dirs.publish_dir(a, dest);
  EXPECT_FALSE(fs::exists(a));
  EXPECT_EQ(read_file(dirs.model_vectors("m_1")), "vectors");

  // The destination must not exist, not even as an empty directory.
  EXPECT_THROW(dirs.publish_dir(b, dest), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(b));
  fs::create_directory(dirs.model_dir("m_2"));
  EXPECT_THROW(dirs.publish_dir(b, dirs.model_dir("m_2")), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(b));
  EXPECT_EQ(read_file(dirs.model_vectors("m_1")), "vectors");
  // A missing source is an error too.
  EXPECT_THROW(dirs.publish_dir(a, dirs.model_dir("m_3")), std::runtime_error);
}

TEST_F(DataDirTest, CleanTempEmptiesTmp) {
  DataDir dirs((base_ / "data").string());
  const std::string t = dirs.make_temp_dir();
  fs::create_directories(fs::path(t) / "deep" / "er");
  write_file(fs::path(t) / "deep" / "er" / "file", "data");
  write_file(base_ / "data" / "tmp" / "stray-upload", "partial");
  write_file(dirs.corpus_dir("c_1") + ".not-tmp", "outside tmp");

  dirs.clean_temp();
  EXPECT_TRUE(fs::is_directory(base_ / "data" / "tmp"));
  EXPECT_TRUE(fs::is_empty(base_ / "data" / "tmp"));
  EXPECT_TRUE(fs::exists(dirs.corpus_dir("c_1") + ".not-tmp"));
  dirs.clean_temp();  // already empty: fine
}

TEST_F(DataDirTest, RemoveAllTakesTreesAndIgnoresMissing) {
  DataDir dirs((base_ / "data").string());
  fs::create_directories(dirs.job_dir("j_1") + "/sub");
  write_file(dirs.job_encoded("j_1"), "ids");
  write_file(dirs.job_dir("j_1") + "/sub/x", "x");
  DataDir::remove_all(dirs.job_dir("j_1"));
  EXPECT_FALSE(fs::exists(dirs.job_dir("j_1")));
  DataDir::remove_all(dirs.job_dir("j_1"));  // missing: no error
  write_file(dirs.root() + "/single", "file");
  DataDir::remove_all(dirs.root() + "/single");
  EXPECT_FALSE(fs::exists(dirs.root() + "/single"));
}

TEST_F(DataDirTest, NewIdFormat) {
  for (const char* prefix : {"c", "j", "m", "model"}) {
    const std::string id = new_id(prefix);
    EXPECT_TRUE(well_formed(id, prefix)) << id;
  }
  const std::string bare = new_id("");
  EXPECT_EQ(bare.size(), 20u);
  EXPECT_TRUE(std::all_of(bare.begin(), bare.end(), is_id_char)) << bare;
}

TEST_F(DataDirTest, NewIdsAreUniqueAndUseTheWholeAlphabet) {
  constexpr int kIds = 100000;
  std::unordered_set<std::string> ids;
  ids.reserve(kIds);
  std::set<char> seen;
  for (int i = 0; i < kIds; ++i) {
    std::string id = new_id("c");
    ASSERT_TRUE(well_formed(id, "c")) << id;
    seen.insert(id.begin() + 2, id.end());
    ids.insert(std::move(id));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kIds));
  EXPECT_EQ(seen.size(), 32u);
}

TEST_F(DataDirTest, NewIdIsThreadSafe) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(new_id("j"));
    });
  }
  for (auto& th : threads) th.join();
  std::unordered_set<std::string> all;
  for (const auto& v : made) {
    for (const auto& id : v) {
      EXPECT_TRUE(well_formed(id, "j")) << id;
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace w2v::server
