// The mapped rows file (core/search/embeddings_file.h): a round trip that answers exactly as the
// embeddings it was written from, and every way a file can be damaged, each refused with an
// error that says what.

#include "core/search/embeddings_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "core/base/atomic_file.h"
#include "core/base/checksum.h"
#include "support/random_vectors.h"
#include "support/temp_dir.h"

namespace w2v {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHeaderBytes = 192;
// Header fields' offsets (embeddings_file.h's layout).
constexpr std::size_t kVersionAt = 8, kWordsAt = 16, kDimAt = 24, kStrideAt = 32, kSectionsAt = 48,
                      kFileBytesAt = 160, kChecksumAt = 184;
// Where section s's offset is (its length follows, 8 bytes on): vectors 0, inverse norms 1,
// codes 2, scales 3, word slots 4, word offsets 5, words 6.
constexpr std::size_t section_at(std::size_t s) {
  return kSectionsAt + std::size_t{16} * s;
}

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::uint64_t get_u64(const std::vector<char>& b, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// Sets a u64 header field and the header's checksum to match: a header that is whole but lies.
void set_u64(std::vector<char>& b, std::size_t at, std::uint64_t v) {
  std::memcpy(b.data() + at, &v, sizeof v);
  Checksum c;
  c.add(b.data(), kChecksumAt);
  const std::uint64_t sum = c.value();
  std::memcpy(b.data() + kChecksumAt, &sum, sizeof sum);
}

class EmbeddingsFileTest : public ::testing::Test {
 protected:
  void SetUp() override { save_embeddings_file(path_, emb_); }

  // Loading the file as it now is fails with an error containing fragment.
  void expect_refused(const std::string& fragment) {
    try {
      (void)map_embeddings_file(path_);
      ADD_FAILURE() << "mapped; expected an error containing " << fragment;
    } catch (const EmbeddingsFileError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path_), std::string::npos) << e.what();
    }
    EXPECT_THROW(verify_embeddings_file(path_), EmbeddingsFileError);
  }

  testing::TempDir dir_{"rows-file"};
  std::string path_ = dir_.file("rows.w2vm");
  // 1,001 rows (not whole blocks of 16) of 37 dimensions (padded to 48).
  Embeddings emb_ = testing::random_embeddings(1001, 37, 11);
};

TEST_F(EmbeddingsFileTest, RoundTripIsBitExact) {
  const Embeddings mapped = map_embeddings_file(path_);
  ASSERT_EQ(mapped.size(), emb_.size());
  ASSERT_EQ(mapped.dim(), emb_.dim());
  EXPECT_EQ(mapped.memory_bytes(), fs::file_size(path_));
  EXPECT_EQ(mapped.search_kernel(), emb_.search_kernel());
  EXPECT_EQ(mapped.vectors().stride(), emb_.vectors().stride());
  EXPECT_EQ(std::memcmp(mapped.vectors().data(), emb_.vectors().data(), emb_.vectors().bytes()), 0);
  EXPECT_EQ(std::memcmp(mapped.inv_norms().data(), emb_.inv_norms().data(),
                        emb_.inv_norms().size_bytes()),
            0);
  ASSERT_EQ(mapped.quantized().codes().size(), emb_.quantized().codes().size());
  EXPECT_EQ(std::memcmp(mapped.quantized().codes().data(), emb_.quantized().codes().data(),
                        emb_.quantized().codes().size()),
            0);
  EXPECT_EQ(mapped.quantized().max_row_error(), emb_.quantized().max_row_error());
  for (std::uint32_t i = 0; i < emb_.size(); ++i) {
    ASSERT_EQ(mapped.word(i), emb_.word(i));
    ASSERT_EQ(mapped.find(emb_.word(i)), i);
  }
  EXPECT_FALSE(mapped.find("absent"));
  EXPECT_FALSE(mapped.find(""));
}

TEST_F(EmbeddingsFileTest, AnswersAsTheParsedEmbeddings) {
  const Embeddings mapped = map_embeddings_file(path_);
  for (std::uint32_t id = 0; id < emb_.size(); id += 97) {
    const std::uint32_t pos[] = {id};
    const auto want = emb_.most_similar(pos, {}, 10);
    const auto got = mapped.most_similar(pos, {}, 10);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].id, want[i].id);
      EXPECT_EQ(got[i].score, want[i].score);
    }
    const auto a_want = emb_.analogy(id, (id + 1) % 1001, (id + 2) % 1001, 5);
    const auto a_got = mapped.analogy(id, (id + 1) % 1001, (id + 2) % 1001, 5);
    ASSERT_EQ(a_got.size(), a_want.size());
    for (std::size_t i = 0; i < a_want.size(); ++i) EXPECT_EQ(a_got[i].id, a_want[i].id);
    EXPECT_EQ(mapped.similarity(id, 3), emb_.similarity(id, 3));
  }
}

TEST_F(EmbeddingsFileTest, ModelWithoutTheEightBitCopyRoundTrips) {
  std::vector<std::string> words = {"a", "b", "c"};
  Matrix m(3, 5);
  m.row(0)[0] = 1;
  m.row(1)[1] = std::numeric_limits<float>::infinity();  // not finite: no 8-bit copy
  m.row(2)[2] = 2;
  const Embeddings e(std::move(words), std::move(m));
  ASSERT_EQ(e.search_kernel(), "float");
  save_embeddings_file(path_, e);
  const Embeddings mapped = map_embeddings_file(path_);
  EXPECT_EQ(mapped.search_kernel(), "float");
  EXPECT_EQ(mapped.find("c"), 2u);
  const std::uint32_t pos[] = {0};
  const auto want = e.most_similar(pos, {}, 2), got = mapped.most_similar(pos, {}, 2);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].id, want[0].id);
  EXPECT_NO_THROW(verify_embeddings_file(path_));
}

TEST_F(EmbeddingsFileTest, EmptyModelRoundTrips) {
  save_embeddings_file(path_, Embeddings({}, Matrix(0, 8)));
  const Embeddings mapped = map_embeddings_file(path_);
  EXPECT_EQ(mapped.size(), 0u);
  EXPECT_EQ(mapped.dim(), 8u);
  EXPECT_FALSE(mapped.find("w0"));
}

TEST_F(EmbeddingsFileTest, InspectAndVerifyReadTheCounts) {
  const EmbeddingsFileInfo info = inspect_embeddings_file(path_);
  EXPECT_EQ(info.words, 1001u);
  EXPECT_EQ(info.dim, 37u);
  EXPECT_EQ(info.file_bytes, fs::file_size(path_));
  EXPECT_EQ(verify_embeddings_file(path_).words, 1001u);
}

TEST_F(EmbeddingsFileTest, MissingFileIsASystemError) {
  fs::remove(path_);
  try {
    (void)map_embeddings_file(path_);
    ADD_FAILURE() << "mapped a missing file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
  }
}

TEST_F(EmbeddingsFileTest, TruncatedFileIsRefused) {
  const std::vector<char> whole = read_bytes(path_);
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{100}, kHeaderBytes, whole.size() / 2, whole.size() - 1}) {
    write_bytes(path_, std::vector<char>(whole.begin(), whole.begin() + keep));
    SCOPED_TRACE(keep);
    expect_refused("truncated");
    EXPECT_THROW(inspect_embeddings_file(path_), EmbeddingsFileError);
  }
}

TEST_F(EmbeddingsFileTest, LongerFileIsRefused) {
  std::vector<char> bytes = read_bytes(path_);
  bytes.push_back(0);
  write_bytes(path_, bytes);
  expect_refused("longer than written");
}

TEST_F(EmbeddingsFileTest, EveryFlippedHeaderByteIsFound) {
  const std::vector<char> whole = read_bytes(path_);
  for (std::size_t i = 0; i < kHeaderBytes; ++i) {
    std::vector<char> bytes = whole;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x10);
    write_bytes(path_, bytes);
    EXPECT_THROW((void)map_embeddings_file(path_), EmbeddingsFileError) << "byte " << i;
  }
  std::vector<char> bytes = whole;
  bytes[kWordsAt] = static_cast<char>(bytes[kWordsAt] ^ 1);
  write_bytes(path_, bytes);
  expect_refused("the header is damaged (checksum)");
}

TEST_F(EmbeddingsFileTest, WrongMagicOrVersionIsRefused) {
  const std::vector<char> whole = read_bytes(path_);
  std::vector<char> bytes = whole;
  std::memcpy(bytes.data(), "W2VDXXXX", 8);
  write_bytes(path_, bytes);
  expect_refused("not a w2vd rows file");

  bytes = whole;
  const std::uint32_t version = kEmbeddingsFileVersion + 1;
  std::memcpy(bytes.data() + kVersionAt, &version, sizeof version);
  write_bytes(path_, bytes);
  expect_refused("version 2, this w2vd reads version 1");
}

TEST_F(EmbeddingsFileTest, CountsThatLieAboutSizesAreRefused) {
  const std::vector<char> whole = read_bytes(path_);
  const auto lie = [&](std::size_t at, std::uint64_t value, const std::string& fragment) {
    std::vector<char> bytes = whole;
    set_u64(bytes, at, value);
    write_bytes(path_, bytes);
    SCOPED_TRACE(fragment);
    expect_refused(fragment);
  };
  lie(kWordsAt, 1002, "vectors: ");
  lie(kWordsAt, 1000, "vectors: ");
  lie(kWordsAt, std::uint64_t{1} << 40, "impossible counts");
  lie(kDimAt, 41, "8-bit codes: ");  // the same stride, more code bytes than 37 dimensions
  lie(kDimAt, 0, "impossible counts");
  lie(kStrideAt, 64, "impossible counts");
  lie(kFileBytesAt, get_u64(whole, kFileBytesAt) + 64, "truncated");
  // A section moved: past the end, overlapping the one before, not aligned.
  const std::size_t vectors_offset = section_at(0), norms_offset = section_at(1);
  lie(norms_offset, get_u64(whole, kFileBytesAt), "not inside the file in order");
  lie(norms_offset, kHeaderBytes, "not inside the file in order");
  lie(vectors_offset, kHeaderBytes + 4, "not inside the file in order");
  // The word slots' size: not a power of two.
  const std::size_t slots_bytes = section_at(4) + 8;
  lie(slots_bytes, get_u64(whole, slots_bytes) - 8, "bytes of slots for 1001 words");
}

TEST_F(EmbeddingsFileTest, DamagedWordOffsetsAreRefusedAtMapping) {
  std::vector<char> bytes = read_bytes(path_);
  const std::uint64_t offsets = get_u64(bytes, section_at(5));
  const std::uint64_t far = std::uint64_t{1} << 40;
  std::memcpy(bytes.data() + offsets + std::size_t{8} * 500, &far, sizeof far);
  write_bytes(path_, bytes);
  expect_refused("the word offsets are damaged");
}

TEST_F(EmbeddingsFileTest, DamagedRowsAreFoundByVerify) {
  std::vector<char> bytes = read_bytes(path_);
  bytes[kHeaderBytes + 1000] = static_cast<char>(bytes[kHeaderBytes + 1000] ^ 0x40);
  write_bytes(path_, bytes);
  EXPECT_NO_THROW((void)map_embeddings_file(path_));  // too costly to find when mapping
  try {
    verify_embeddings_file(path_);
    ADD_FAILURE() << "verified a damaged file";
  } catch (const EmbeddingsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("the rows are damaged (checksum)"), std::string::npos)
        << e.what();
  }
}

TEST_F(EmbeddingsFileTest, DamagedWordSlotsNeverLoopOrReadOutside) {
  std::vector<char> bytes = read_bytes(path_);
  const std::uint64_t slots = get_u64(bytes, section_at(4));
  const std::uint64_t slot_bytes = get_u64(bytes, section_at(4) + 8);
  // Every slot taken by an id past the words: no probe ends at an empty slot.
  for (std::uint64_t at = slots; at < slots + slot_bytes; at += 8) {
    const std::uint32_t slot[2] = {5000, 0};
    std::memcpy(bytes.data() + at, slot, sizeof slot);
  }
  write_bytes(path_, bytes);
  const Embeddings mapped = map_embeddings_file(path_);
  EXPECT_FALSE(mapped.find("w1"));
  EXPECT_THROW(verify_embeddings_file(path_), EmbeddingsFileError);
}

TEST_F(EmbeddingsFileTest, FullDiskLeavesTheOldFileOrNone) {
  const std::vector<char> before = read_bytes(path_);
  inject_disk_full_after(4096);
  EXPECT_THROW(save_embeddings_file(path_, testing::random_embeddings(500, 16, 3)),
               std::system_error);
  inject_disk_full_after(std::nullopt);
  EXPECT_EQ(read_bytes(path_), before);
  fs::remove(path_);
  inject_disk_full_after(4096);
  EXPECT_THROW(save_embeddings_file(path_, emb_), std::system_error);
  inject_disk_full_after(std::nullopt);
  EXPECT_FALSE(fs::exists(path_));
  for (const auto& entry : fs::directory_iterator(dir_.path())) ADD_FAILURE() << entry.path();
}

}  // namespace
}  // namespace w2v
