#include "core/search/embeddings_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <system_error>

#include "core/base/atomic_file.h"
#include "core/base/checksum.h"
#include "core/base/mapped_file.h"

namespace w2v {
namespace {

static_assert(std::endian::native == std::endian::little, "the file format is little-endian");

constexpr char kMagic[8] = {'W', '2', 'V', 'D', 'R', 'O', 'W', 'S'};
constexpr std::uint32_t kByteOrderMark = 0x01020304;
constexpr std::uint32_t kHasQuantized = 1;
constexpr std::uint64_t kAlign = 64;
// Far above any model (ids are 32-bit; word2vec's formats stop at 100 million words and 10,000
// dimensions), low enough that no size computed from them overflows 64 bits.
constexpr std::uint64_t kMaxWords = std::numeric_limits<std::uint32_t>::max() - 1;
constexpr std::uint64_t kMaxDim = 1u << 20;

enum Section { kVectors, kInvNorms, kCodes, kScales, kSlots, kOffsets, kArena, kSections };
constexpr const char* kSectionNames[kSections] = {"vectors",      "inverse norms", "8-bit codes",
                                                  "8-bit scales", "word slots",    "word offsets",
                                                  "words"};

struct SectionRef {
  std::uint64_t offset, bytes;
};

struct RowsHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order;
  std::uint64_t words, dim, stride;
  std::uint32_t flags;
  float max_row_error;
  SectionRef sections[kSections];
  std::uint64_t file_bytes;
  std::uint64_t payload_checksum;
  std::uint64_t reserved;         // zero
  std::uint64_t header_checksum;  // of the bytes above
};
constexpr std::uint64_t kHeaderBytes = 192;  // the first section's offset
static_assert(sizeof(RowsHeader) == kHeaderBytes);

std::uint64_t rows_header_checksum(const RowsHeader& h) noexcept {
  Checksum c;
  c.add(&h, offsetof(RowsHeader, header_checksum));
  return c.value();
}

constexpr std::uint64_t align_up(std::uint64_t n) noexcept {
  return (n + kAlign - 1) / kAlign * kAlign;
}

[[noreturn]] void fail_file(const std::string& path, const std::string& why) {
  throw EmbeddingsFileError("rows file " + path + ": " + why);
}

// The sizes the counts give each section (the slots' count is the file's own, checked apart).
void expected_sizes(const RowsHeader& h, std::uint64_t slot_count, std::uint64_t arena_bytes,
                    std::uint64_t out[kSections]) {
  const bool quantized = (h.flags & kHasQuantized) != 0;
  out[kVectors] = h.words * h.stride * sizeof(float);
  out[kInvNorms] = h.words * sizeof(float);
  out[kCodes] = quantized ? QuantizedRows::code_bytes(h.words, h.dim) : 0;
  out[kScales] = quantized ? QuantizedRows::scale_count(h.words) * sizeof(float) : 0;
  out[kSlots] = slot_count * sizeof(WordSlot);
  out[kOffsets] = (h.words + 1) * sizeof(std::uint64_t);
  out[kArena] = arena_bytes;
}

// Checks everything the header says against itself and the file's size.
void check_rows_header(const RowsHeader& h, std::uint64_t file_bytes, const std::string& path) {
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) fail_file(path, "not a w2vd rows file");
  if (h.byte_order != kByteOrderMark) fail_file(path, "written on a machine of another byte order");
  if (h.version != kEmbeddingsFileVersion) {
    fail_file(path, "version " + std::to_string(h.version) + ", this w2vd reads version " +
                        std::to_string(kEmbeddingsFileVersion));
  }
  if (h.header_checksum != rows_header_checksum(h))
    fail_file(path, "the header is damaged (checksum)");
  if (file_bytes != h.file_bytes) {
    fail_file(path, (file_bytes < h.file_bytes ? "truncated (" : "longer than written (") +
                        std::to_string(file_bytes) + " bytes, the header says " +
                        std::to_string(h.file_bytes) + ")");
  }
  if (h.words > kMaxWords || h.dim == 0 || h.dim > kMaxDim || h.stride != padded_stride(h.dim) ||
      (h.flags & ~kHasQuantized) != 0) {
    fail_file(path, "impossible counts (" + std::to_string(h.words) + " words, dim " +
                        std::to_string(h.dim) + ", stride " + std::to_string(h.stride) + ")");
  }
  const std::uint64_t slot_count = h.sections[kSlots].bytes / sizeof(WordSlot);
  if (h.sections[kSlots].bytes % sizeof(WordSlot) != 0 || !std::has_single_bit(slot_count) ||
      slot_count <= h.words) {
    fail_file(path, "the word table has " + std::to_string(h.sections[kSlots].bytes) +
                        " bytes of slots for " + std::to_string(h.words) + " words");
  }
  std::uint64_t expected[kSections];
  expected_sizes(h, slot_count, h.sections[kArena].bytes, expected);
  std::uint64_t end = kHeaderBytes;
  for (int s = 0; s < kSections; ++s) {
    const SectionRef& r = h.sections[s];
    if (r.bytes != expected[s]) {
      fail_file(path, std::string(kSectionNames[s]) + ": " + std::to_string(r.bytes) +
                          " bytes where the counts need " + std::to_string(expected[s]));
    }
    if (r.offset % kAlign != 0 || r.offset < end || r.offset > file_bytes ||
        r.bytes > file_bytes - r.offset) {
      fail_file(path, std::string(kSectionNames[s]) + " at " + std::to_string(r.offset) + " (" +
                          std::to_string(r.bytes) + " bytes) is not inside the file in order");
    }
    end = r.offset + r.bytes;
  }
}

RowsHeader read_rows_header(const std::uint8_t* data, std::uint64_t file_bytes,
                            const std::string& path) {
  if (file_bytes < kHeaderBytes) {
    fail_file(path, "truncated (" + std::to_string(file_bytes) + " bytes, the header alone is " +
                        std::to_string(kHeaderBytes) + ")");
  }
  RowsHeader h;
  std::memcpy(&h, data, sizeof h);
  check_rows_header(h, file_bytes, path);
  return h;
}

template <class T>
const T* at(const MappedFile& f, const SectionRef& r) noexcept {
  return reinterpret_cast<const T*>(f.data() + r.offset);
}

// Adds bytes to out and the checksum, then zeros up to the next 64-byte boundary. The checksum
// is given whole 8-byte words only (a section's tail goes with its padding), so it is the one
// verify_embeddings_file computes over the file in one piece.
class SectionWriter {
 public:
  explicit SectionWriter(AtomicFile& out) : out_(out) {}
  SectionRef add(const void* data, std::uint64_t bytes) {
    const SectionRef r{offset_, bytes};
    const std::uint64_t whole = bytes / 8 * 8;
    write(data, whole);
    char tail[2 * kAlign] = {};
    if (bytes > whole) std::memcpy(tail, static_cast<const char*>(data) + whole, bytes - whole);
    write(tail, align_up(offset_ + (bytes - whole)) - offset_);
    return r;
  }
  std::uint64_t offset() const noexcept { return offset_; }
  std::uint64_t checksum() const noexcept { return checksum_.value(); }

 private:
  void write(const void* data, std::uint64_t bytes) {
    if (bytes == 0) return;
    out_.write(data, bytes);
    checksum_.add(data, bytes);
    offset_ += bytes;
  }
  AtomicFile& out_;
  std::uint64_t offset_ = kHeaderBytes;
  Checksum checksum_;
};

}  // namespace

void save_embeddings_file(const std::string& path, const Embeddings& emb) {
  RowsHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kEmbeddingsFileVersion;
  h.byte_order = kByteOrderMark;
  h.words = emb.size();
  h.dim = emb.dim();
  h.stride = emb.vectors().stride();
  const QuantizedRows& q = emb.quantized();
  h.flags = q.empty() ? 0 : kHasQuantized;
  h.max_row_error = q.empty() ? 0.0f : q.max_row_error();

  AtomicFile out(path);
  const char header_space[kHeaderBytes] = {};
  out.write(header_space, kHeaderBytes);  // written again at the end, complete
  SectionWriter w(out);
  const WordTableView& table = emb.word_table();
  h.sections[kVectors] = w.add(emb.vectors().data(), emb.vectors().bytes());
  h.sections[kInvNorms] = w.add(emb.inv_norms().data(), emb.inv_norms().size_bytes());
  h.sections[kCodes] = w.add(q.codes().data(), q.empty() ? 0 : q.codes().size_bytes());
  h.sections[kScales] = w.add(q.scales().data(), q.empty() ? 0 : q.scales().size_bytes());
  h.sections[kSlots] = w.add(table.slots().data(), table.slots().size_bytes());
  h.sections[kOffsets] = w.add(table.offsets().data(), table.offsets().size_bytes());
  h.sections[kArena] = w.add(table.arena().data(), table.arena().size_bytes());
  h.file_bytes = w.offset();
  h.payload_checksum = w.checksum();
  h.header_checksum = rows_header_checksum(h);
  out.pwrite(&h, sizeof h, 0);
  out.commit();
}

Embeddings map_embeddings_file(const std::string& path) {
  auto file = std::make_shared<MappedFile>(path);
  const RowsHeader h = read_rows_header(file->data(), file->size(), path);
  const auto* offsets = at<std::uint64_t>(*file, h.sections[kOffsets]);
  const std::span<const std::uint64_t> offset_span(offsets, h.words + 1);
  if (!valid_word_offsets(offset_span, h.sections[kArena].bytes)) {
    fail_file(path, "the word offsets are damaged");
  }
  Embeddings::Views views;
  views.vectors = MatrixView(at<float>(*file, h.sections[kVectors]), h.words, h.dim, h.stride);
  views.inv_norms = {at<float>(*file, h.sections[kInvNorms]), h.words};
  views.words = WordTableView(
      {at<WordSlot>(*file, h.sections[kSlots]), h.sections[kSlots].bytes / sizeof(WordSlot)},
      {at<char>(*file, h.sections[kArena]), h.sections[kArena].bytes}, offset_span);
  if ((h.flags & kHasQuantized) != 0) {
    views.quantized =
        QuantizedRows::view(h.words, h.dim, at<std::int8_t>(*file, h.sections[kCodes]),
                            at<float>(*file, h.sections[kScales]), h.max_row_error);
  }
  const std::size_t bytes = file->size();
  return Embeddings(std::move(views), std::move(file), bytes);
}

EmbeddingsFileInfo inspect_embeddings_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  std::uint8_t bytes[kHeaderBytes] = {};
  in.read(reinterpret_cast<char*>(bytes),
          static_cast<std::streamsize>(std::min(size, kHeaderBytes)));
  const RowsHeader h = read_rows_header(bytes, size, path);
  return {h.words, h.dim, h.file_bytes};
}

EmbeddingsFileInfo verify_embeddings_file(const std::string& path) {
  const MappedFile file(path);
  const RowsHeader h = read_rows_header(file.data(), file.size(), path);
  Checksum c;
  c.add(file.data() + kHeaderBytes, file.size() - kHeaderBytes);
  if (c.value() != h.payload_checksum) fail_file(path, "the rows are damaged (checksum)");
  // Map it too, for the offsets' check.
  map_embeddings_file(path);
  return {h.words, h.dim, h.file_bytes};
}

}  // namespace w2v
