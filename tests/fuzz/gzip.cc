// Fuzzes the upload gzip inflater, fed both raw bytes and valid gzip made from the input.
//   raw:     any bytes in pieces; the inflater either produces output or reports invalid_gzip.
//   wrapped: the payload compressed into one or two gzip members, fed in pieces the input
//            chooses; the output is the payload (twice for two members) and complete() holds,
//            while a strict prefix of the stream gives a prefix of it and !complete().
#include <fuzzer/FuzzedDataProvider.h>
#include <zlib.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "proto/api_error.h"
#include "server/handlers/gzip_inflater.h"

namespace {

using w2v::server::GzipInflater;

constexpr std::size_t kMaxOutput = 8u << 20;  // a bomb stops here instead of filling memory
struct TooMuchOutput {};

std::string gzip(const std::string& payload, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::string out(deflateBound(&z, payload.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
  z.avail_in = static_cast<uInt>(payload.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Feeds stream in pieces of the given sizes (the rest at the end); returns the output.
std::string inflate(GzipInflater& g, const std::string& stream,
                    const std::vector<std::size_t>& cuts) {
  std::string out;
  auto sink = [&](std::string_view piece) {
    out.append(piece);
    if (out.size() > kMaxOutput) throw TooMuchOutput{};
  };
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    if (at >= stream.size()) break;
    g.feed(std::string_view(stream).substr(at, cut), sink);
    at += cut;
  }
  if (at < stream.size()) g.feed(std::string_view(stream).substr(at), sink);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool wrapped = in.ConsumeBool();
  const bool two_members = in.ConsumeBool();
  const int level = in.ConsumeIntegralInRange(0, 9);
  std::vector<std::size_t> cuts(in.ConsumeIntegralInRange<std::size_t>(0, 8));
  for (auto& c : cuts) c = in.ConsumeIntegralInRange<std::size_t>(1, 4096);
  const std::string payload = in.ConsumeRemainingBytesAsString();

  if (!wrapped) {
    GzipInflater g;
    try {
      inflate(g, payload, cuts);
    } catch (const w2v::proto::ApiError& e) {
      FUZZ_CHECK(e.status() == 400);
    } catch (const TooMuchOutput&) {
    }
    return 0;
  }

  const std::string member = gzip(payload, level);
  const std::string stream = two_members ? member + member : member;
  const std::string expected = two_members ? payload + payload : payload;
  {
    GzipInflater g;
    FUZZ_CHECK(inflate(g, stream, cuts) == expected);
    FUZZ_CHECK(g.complete());
  }
  {
    GzipInflater g;
    const std::string prefix = member.substr(0, member.size() - 1 - cuts.size() % member.size());
    const std::string out = inflate(g, prefix, cuts);
    FUZZ_CHECK(payload.compare(0, out.size(), out) == 0);
    FUZZ_CHECK(!g.complete());
  }
  return 0;
}
