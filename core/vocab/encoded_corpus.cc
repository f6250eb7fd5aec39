#include "core/vocab/encoded_corpus.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "core/base/atomic_file.h"
#include "core/text/file_chunks.h"
#include "core/text/tokenizer.h"

namespace w2v {
namespace {

constexpr char kEncodedMagic[8] = {'W', '2', 'V', 'E', 'N', 'C', '0', '1'};
struct EncodedHeader {
  char magic[8];
  std::uint64_t words;
  std::uint64_t entries;
};

// Maps words to ids and calls emit(id) for each, with kSentenceEnd between sentences that kept
// at least one word.
template <class Emit>
struct EncodingSink {
  const Vocabulary& vocab;
  Emit emit;
  std::uint64_t words = 0;
  bool open = false;
  void on_word(std::string_view w) {
    const std::int32_t id = vocab.id(w);
    if (id == Vocabulary::kAbsent) return;
    emit(static_cast<std::uint32_t>(id));
    ++words;
    open = true;
  }
  void on_sentence_end() {
    if (open) emit(kSentenceEnd);
    open = false;
  }
};

}  // namespace

struct EncodedCorpus::Mapping {
  void* addr = nullptr;
  std::size_t length = 0;
  ~Mapping() {
    if (addr != nullptr) ::munmap(addr, length);
  }
};

EncodedCorpus::EncodedCorpus() = default;
EncodedCorpus::~EncodedCorpus() = default;
EncodedCorpus::EncodedCorpus(EncodedCorpus&&) noexcept = default;
EncodedCorpus& EncodedCorpus::operator=(EncodedCorpus&&) noexcept = default;

EncodedCorpus EncodedCorpus::from_ids(std::vector<std::uint32_t> ids) {
  EncodedCorpus c;
  for (std::uint32_t id : ids) c.words_ += id != kSentenceEnd;
  c.owned_ = std::move(ids);
  c.data_ = c.owned_.data();
  c.size_ = c.owned_.size();
  return c;
}

EncodedCorpus EncodedCorpus::encode_text(std::string_view text, const Vocabulary& vocab) {
  std::vector<std::uint32_t> ids;
  auto emit = [&ids](std::uint32_t id) { ids.push_back(id); };
  EncodingSink<decltype(emit)> sink{vocab, emit};
  Tokenizer tok;
  tok.feed(text, sink);
  tok.finish(sink);
  return from_ids(std::move(ids));
}

EncodedCorpus EncodedCorpus::encode_file(const std::string& text_path, const Vocabulary& vocab,
                                         const std::string& out_path) {
  AtomicFile out(out_path);
  EncodedHeader header{};
  std::memcpy(header.magic, kEncodedMagic, sizeof kEncodedMagic);
  out.write(&header, sizeof header);  // rewritten with the totals once they are known

  std::vector<std::uint32_t> buf;
  buf.reserve(1 << 16);
  std::uint64_t entries = 0;
  auto emit = [&](std::uint32_t id) {
    buf.push_back(id);
    if (buf.size() == buf.capacity()) {
      out.write(buf.data(), buf.size() * sizeof(std::uint32_t));
      entries += buf.size();
      buf.clear();
    }
  };
  EncodingSink<decltype(emit)> sink{vocab, emit};
  Tokenizer tok;
  for_each_file_chunk(text_path, [&](std::string_view chunk) { tok.feed(chunk, sink); });
  tok.finish(sink);
  out.write(buf.data(), buf.size() * sizeof(std::uint32_t));
  entries += buf.size();

  header.words = sink.words;
  header.entries = entries;
  out.pwrite(&header, sizeof header, 0);
  out.commit();
  return open(out_path);
}

EncodedCorpus EncodedCorpus::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open encoded corpus " + path);
  struct stat st {};
  EncodedHeader header{};
  // The entry count is compared by division: entries * 4 could wrap around to the file size.
  const bool ok =
      ::fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(sizeof header) &&
      ::pread(fd, &header, sizeof header, 0) == static_cast<ssize_t>(sizeof header) &&
      std::memcmp(header.magic, kEncodedMagic, sizeof kEncodedMagic) == 0 &&
      (static_cast<std::uint64_t>(st.st_size) - sizeof header) % sizeof(std::uint32_t) == 0 &&
      (static_cast<std::uint64_t>(st.st_size) - sizeof header) / sizeof(std::uint32_t) ==
          header.entries &&
      header.words <= header.entries;
  if (!ok) {
    ::close(fd);
    throw std::runtime_error("not a valid encoded corpus: " + path);
  }
  EncodedCorpus c;
  c.mapping_ = std::make_unique<Mapping>();
  c.mapping_->length = static_cast<std::size_t>(st.st_size);
  c.mapping_->addr = ::mmap(nullptr, c.mapping_->length, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (c.mapping_->addr == MAP_FAILED) {
    c.mapping_->addr = nullptr;
    throw std::runtime_error("cannot map encoded corpus " + path);
  }
  ::madvise(c.mapping_->addr, c.mapping_->length, MADV_SEQUENTIAL);
  c.data_ = reinterpret_cast<const std::uint32_t*>(static_cast<const char*>(c.mapping_->addr) +
                                                   sizeof header);
  c.size_ = header.entries;
  c.words_ = header.words;
  return c;
}

}  // namespace w2v
