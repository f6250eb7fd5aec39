#include "core/vocab/encoded_corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base/atomic_file.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

using testing::test_temp_path;

Vocabulary vocab_of(const std::string& text, std::uint64_t min_count) {
  WordCounts counts;
  CountingSink sink{counts};
  Tokenizer tok;
  tok.feed(text, sink);
  tok.finish(sink);
  return Vocabulary::build(counts, {min_count, 0});
}

TEST(EncodedCorpus, DropsRareWordsAndKeepsSentenceEnds) {
  const std::string text = "a b a\n\nrare a\nrare2\nb b\n";
  const Vocabulary v = vocab_of(text, 2);  // a:3 b:3 -> ids a=0, b=1 (tie broken by bytes)
  const EncodedCorpus c = EncodedCorpus::encode_text(text, v);
  const std::vector<std::uint32_t> expected = {0, 1, 0,           kSentenceEnd, 0, kSentenceEnd,
                                               1, 1, kSentenceEnd};
  EXPECT_EQ(std::vector<std::uint32_t>(c.ids().begin(), c.ids().end()), expected);
  EXPECT_EQ(c.words(), 6u);
}

TEST(EncodedCorpus, FileRoundTripMatchesInMemory) {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "w" + std::to_string(i % 97) + (i % 13 == 0 ? "\n" : " ");
  const std::string src = test_temp_path("w2v-text"), out = test_temp_path("w2v-enc");
  std::ofstream(src) << text;
  const Vocabulary v = vocab_of(text, 1);
  const EncodedCorpus mem = EncodedCorpus::encode_text(text, v);
  {
    const EncodedCorpus file = EncodedCorpus::encode_file(src, v, out);
    ASSERT_EQ(file.ids().size(), mem.ids().size());
    EXPECT_TRUE(std::equal(file.ids().begin(), file.ids().end(), mem.ids().begin()));
    EXPECT_EQ(file.words(), mem.words());
  }
  const EncodedCorpus reopened = EncodedCorpus::open(out);
  EXPECT_EQ(reopened.words(), mem.words());
  std::filesystem::resize_file(out, std::filesystem::file_size(out) - 2);
  EXPECT_THROW(EncodedCorpus::open(out), std::runtime_error);
  std::filesystem::remove(src);
  std::filesystem::remove(out);
  EXPECT_THROW(EncodedCorpus::open(out), std::runtime_error);
}

// A header whose entry count times 4 wraps around 2^64 to the file's real size (found by
// tests/fuzz/encoded_corpus.cc): open() must not believe it and map 2^62 ids over 8 bytes.
TEST(EncodedCorpus, RejectsAnEntryCountThatOverflowsTheFileSize) {
  const std::string path = test_temp_path("w2v-enc");
  struct {
    char magic[8] = {'W', '2', 'V', 'E', 'N', 'C', '0', '1'};
    std::uint64_t words = 1;
    std::uint64_t entries = (std::uint64_t{1} << 62) + 2;  // * 4 wraps to 8
  } header;
  const std::uint32_t ids[2] = {0, kSentenceEnd};
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(reinterpret_cast<const char*>(ids), sizeof ids);
  }
  EXPECT_THROW(EncodedCorpus::open(path), std::runtime_error);
  header.entries = 2;
  header.words = 3;  // more vocabulary words than entries
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(reinterpret_cast<const char*>(ids), sizeof ids);
  }
  EXPECT_THROW(EncodedCorpus::open(path), std::runtime_error);
  header.words = 1;
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out.write(reinterpret_cast<const char*>(ids), sizeof ids);
  }
  EXPECT_EQ(EncodedCorpus::open(path).ids().size(), 2u);
  std::filesystem::remove(path);
}

TEST(AtomicFile, AppearsOnlyOnCommit) {
  const std::string path = test_temp_path("w2v-atomic");
  {
    AtomicFile f(path);
    f.write("hello");
    EXPECT_FALSE(std::filesystem::exists(path));
  }  // dropped without commit: nothing at path, no temporary left
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(e.path().string().find(path + ".tmp"), std::string::npos);
  }
  {
    AtomicFile f(path);
    f.write("hello world");
    const char fix[] = "J";
    f.pwrite(fix, 1, 0);
    f.commit();
  }
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  EXPECT_EQ(s, "Jello world");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace w2v
