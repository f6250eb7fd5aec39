// server/services/: a corpus or model reaches the data directory whole and recorded, or not at
// all; deleting removes the row and the files; the errors are the API's.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/base/atomic_file.h"
#include "proto/api_error.h"
#include "server/services/corpus_service.h"
#include "server/services/model_service.h"
#include "server/services/staged_dir.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool empty_dir(const std::string& path) {
  return fs::is_empty(path);
}

class ServicesTest : public ::testing::Test {
 protected:
  w2v::testing::TempDir tmp_{"services"};
  DataDir dirs_{tmp_.path()};
  Store store_{dirs_.database()};
  UploadCounting counting_{1 << 20};
  std::string temp_root() const { return dirs_.root() + "/tmp"; }
};

// The API error f throws (status and code), or a failure when it throws none.
template <class F>
std::pair<int, std::string> api_error_of(F&& f) {
  try {
    f();
  } catch (const proto::ApiError& e) {
    return {e.status(), e.code()};
  }
  ADD_FAILURE() << "no ApiError";
  return {0, ""};
}

// ---- StagedDir ----

TEST_F(ServicesTest, StagedDirPublishesThenRecords) {
  const std::string dest = dirs_.corpus_dir("c_staged");
  {
    StagedDir staged(dirs_, "the corpus");
    AtomicFile& f = staged.file("text");
    staged.write([&] {
      f.write("hello");
      f.commit();
    });
    staged.publish(dest);
    bool recorded = false;
    staged.record([&] { recorded = true; });
    EXPECT_TRUE(recorded);
  }
  EXPECT_EQ(read_file(dest + "/text"), "hello");
  EXPECT_TRUE(empty_dir(temp_root()));
}

TEST_F(ServicesTest, StagedDirLeavesNothingUnpublished) {
  {
    StagedDir staged(dirs_, "the corpus");
    AtomicFile& f = staged.file("text");
    staged.write([&] { f.write("hello"); });
    EXPECT_FALSE(empty_dir(temp_root()));
  }
  EXPECT_TRUE(empty_dir(temp_root()));
}

TEST_F(ServicesTest, StagedDirRemovesThePublishedCopyWhenTheRecordFails) {
  const std::string dest = dirs_.corpus_dir("c_unrecorded");
  StagedDir staged(dirs_, "the corpus");
  staged.write([&] {
    AtomicFile& f = staged.file("text");
    f.write("hello");
    f.commit();
  });
  staged.publish(dest);
  EXPECT_THROW(staged.record([] { throw std::runtime_error("the store said no"); }),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(dest));
}

TEST_F(ServicesTest, StagedDirAnswersAFullDiskWith507AndLeavesNothing) {
  StagedDir staged(dirs_, "the corpus");
  AtomicFile& f = staged.file("text");
  inject_disk_full_after(10);
  const auto [status, code] = api_error_of([&] {
    staged.write([&] {
      f.write(std::string(1 << 20, 'x'));
      f.commit();
    });
  });
  inject_disk_full_after(std::nullopt);
  EXPECT_EQ(status, 507);
  EXPECT_EQ(code, "insufficient_storage");
  EXPECT_TRUE(empty_dir(temp_root()));
  EXPECT_THROW(staged.write([] {}), std::logic_error);
}

// ---- corpora ----

TEST_F(ServicesTest, CorpusPublishStoresFilesThenRecord) {
  CorpusService corpora(dirs_, store_, counting_);
  CorpusDraft draft = corpora.draft();
  draft.write("the cat sat\non the mat\n");
  const proto::CorpusRecord c = corpora.publish(draft, "");
  EXPECT_EQ(c.name, c.id);
  EXPECT_GE(c.tokens, 6u);
  EXPECT_GE(c.distinct_words, 5u);  // the, cat, sat, on, mat (and the sentence mark, if counted)
  EXPECT_EQ(c.bytes, 23u);
  EXPECT_EQ(read_file(dirs_.corpus_text(c.id)), "the cat sat\non the mat\n");
  EXPECT_TRUE(fs::exists(dirs_.corpus_counts(c.id)));
  EXPECT_EQ(corpora.get(c.id).tokens, c.tokens);
  EXPECT_TRUE(empty_dir(temp_root()));

  corpora.remove(c.id);
  EXPECT_FALSE(fs::exists(dirs_.corpus_dir(c.id)));
  EXPECT_EQ(api_error_of([&] { corpora.get(c.id); }),
            std::make_pair(404, std::string("corpus_not_found")));
  EXPECT_EQ(api_error_of([&] { corpora.remove(c.id); }),
            std::make_pair(404, std::string("corpus_not_found")));
}

TEST_F(ServicesTest, AnEmptyCorpusIsRefusedAndLeavesNothing) {
  CorpusService corpora(dirs_, store_, counting_);
  {
    CorpusDraft draft = corpora.draft();
    draft.write(" \n\t ");
    EXPECT_EQ(api_error_of([&] { corpora.publish(draft, "empty"); }),
              std::make_pair(400, std::string("empty_corpus")));
  }
  EXPECT_TRUE(empty_dir(temp_root()));
  EXPECT_TRUE(corpora.list().empty());
}

// ---- models ----

class ModelServiceTest : public ServicesTest {
 protected:
  ModelCache cache_{dirs_, 1 << 20,
                    [this](const std::string& id) { return store_.model(id).has_value(); }};
  ModelSettings settings_{store_};
  IndexBuilder indexes_{dirs_, cache_, 1};
  ModelService models_{dirs_, store_, cache_, settings_, indexes_, 1 << 30};
};

TEST_F(ModelServiceTest, ImportsTextVectorsAsBinaryThenDeletes) {
  ModelDraft draft = models_.draft();
  draft.write("2 3\nking 1 0 0\nqueen 0 1 0\n");
  const proto::ModelRecord m = models_.import(draft, proto::ModelFileFormat::kText, "royals");
  EXPECT_EQ(m.name, "royals");
  EXPECT_EQ(m.vocab_size, 2u);
  EXPECT_EQ(m.dim, 3);
  EXPECT_EQ(m.source, proto::ModelSource::kImported);
  EXPECT_TRUE(fs::exists(dirs_.model_vectors(m.id)));
  EXPECT_EQ(models_.get(m.id).name, "royals");
  EXPECT_TRUE(empty_dir(temp_root()));

  EXPECT_FALSE(models_.written_text_vectors(m));
  const std::string text = models_.text_vectors(m.id);
  EXPECT_EQ(models_.written_text_vectors(m), text);

  models_.remove(m.id);
  EXPECT_FALSE(fs::exists(dirs_.model_dir(m.id)));
  EXPECT_EQ(api_error_of([&] { models_.remove(m.id); }),
            std::make_pair(404, std::string("model_not_found")));
  EXPECT_EQ(api_error_of([&] { models_.text_vectors(m.id); }),
            std::make_pair(404, std::string("model_not_found")));
}

TEST_F(ModelServiceTest, AMalformedImportIsA400AndLeavesNothing) {
  {
    ModelDraft draft = models_.draft();
    draft.write("not vectors\n");
    const auto [status, code] =
        api_error_of([&] { models_.import(draft, proto::ModelFileFormat::kText, ""); });
    EXPECT_EQ(status, 400);
    EXPECT_EQ(code, "invalid_vectors");
  }
  EXPECT_TRUE(empty_dir(temp_root()));
  EXPECT_TRUE(models_.list().empty());
}

}  // namespace
}  // namespace w2v::server
