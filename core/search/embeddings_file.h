#pragma once
// A model's rows in a file of w2vd's own layout, memory-mapped to load: Embeddings over the
// mapping read the rows in place, so a load parses nothing and copies nothing (the pages come
// from the page cache when they are first touched), the pages are shared by every process that
// maps the file, and dropping the model frees nothing that must be parsed again. word2vec's
// formats (core/io/vectors_io.h) stay what models are imported and exported in; this file is
// derived from them and can always be written again.
//
// Layout (little-endian; docs/formats.md says the same for a reader outside w2vd):
//   header, 192 bytes:
//     char[8] "W2VDROWS", u32 version (1), u32 byte-order mark 0x01020304,
//     u64 words, u64 dim, u64 stride (dim rounded up to 16),
//     u32 flags (bit 0: the 8-bit search copy is present), f32 the 8-bit copy's largest row error,
//     7 × {u64 offset, u64 bytes}: the sections below, in that order,
//     u64 file bytes, u64 checksum of the bytes after the header (core/base/checksum.h),
//     u64 zero, u64 checksum of the header's bytes before this field
//   sections, each starting on a 64-byte boundary (zero bytes between them):
//     vectors    words × stride f32: the rows as trained, zero-padded (core/base/matrix.h)
//     inv_norms  words f32: 1/‖row‖, 0 for a zero row
//     codes      the 8-bit unit rows in blocks of 16 (core/search/quantized_rows.h); empty
//                without the 8-bit copy
//     scales     one f32 per row rounded up to a block of 16; empty without the 8-bit copy
//     slots      the word hash table: a power of two of {u32 id, u32 tag} (core/text/word_table.h,
//                whose hash_bytes the slots depend on)
//     offsets    words + 1 u64: word i is arena[offsets[i], offsets[i+1])
//     arena      the words' bytes back to back
//
// Mapping checks what is cheap to check: the header's checksum, magic, version and byte order,
// that every section has the size its counts give, lies inside the file, in order and aligned,
// that the file is exactly as long as the header says (truncation), and the word offsets
// (non-decreasing, ending at the arena's size), so no lookup can read outside the mapping.
// Damage inside the rows (a flipped bit in a float) shows only to verify_embeddings_file, which
// reads the whole file.

#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/search/embeddings.h"

namespace w2v {

inline constexpr std::uint32_t kEmbeddingsFileVersion = 1;

// What is wrong with a file: "rows file PATH: what", e.g. truncated, a header checksum
// mismatch, another version.
class EmbeddingsFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes emb's rows, norms, 8-bit copy and word table to path atomically
// (core/base/atomic_file.h): complete or not at all. Throws std::system_error on an I/O error
// (is_disk_full tells a full disk).
void save_embeddings_file(const std::string& path, const Embeddings& emb);

// Maps path and returns embeddings reading it in place (they keep the mapping alive; their
// memory_bytes() is the file's size). Throws std::system_error when the file cannot be opened
// (ENOENT: there is none) and EmbeddingsFileError when it is damaged, as above.
Embeddings map_embeddings_file(const std::string& path);

// The counts of a file whose header and sizes are whole (reads the header only).
struct EmbeddingsFileInfo {
  std::uint64_t words = 0;
  std::uint64_t dim = 0;
  std::uint64_t file_bytes = 0;
};
EmbeddingsFileInfo inspect_embeddings_file(const std::string& path);

// map_embeddings_file's checks and the checksum of every byte after the header: reads the whole
// file. Throws as map_embeddings_file does.
EmbeddingsFileInfo verify_embeddings_file(const std::string& path);

}  // namespace w2v
