// Fuzzes the client's Server-Sent Events parser. Properties: the events do not depend on how
// the stream is cut into feeds (the whole stream at once versus pieces of sizes the input
// chooses), and no event is dispatched without data.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/sse_parser.h"
#include "fuzz/fuzz_support.h"

namespace {

using w2v::client::SseEvent;
using w2v::client::SseParser;

constexpr std::size_t kMaxEventBytes = 4096;  // small, so the length limit is reached too

struct Outcome {
  std::vector<SseEvent> events;
  bool too_long = false;
  bool partial = false;
  std::string last_id;
};

void drain(SseParser& p, Outcome& o) {
  while (auto e = p.next()) o.events.push_back(std::move(*e));
}

Outcome parse(const std::string& stream, const std::vector<std::size_t>& cuts) {
  SseParser p(kMaxEventBytes);
  Outcome o;
  std::size_t at = 0;
  try {
    for (std::size_t cut : cuts) {
      const std::size_t n = std::min(cut, stream.size() - at);  // cuts may add up past the end
      p.feed(std::string_view(stream).substr(at, n));
      at += n;
      drain(p, o);
    }
    p.feed(std::string_view(stream).substr(at));
    drain(p, o);
  } catch (const std::length_error&) {
    o.too_long = true;
    return o;
  }
  o.partial = p.has_partial_event();
  o.last_id = p.last_event_id();
  return o;
}

bool same(const SseEvent& a, const SseEvent& b) {
  return a.event == b.event && a.data == b.data && a.id == b.id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::size_t> cuts(in.ConsumeIntegralInRange<std::size_t>(0, 16));
  for (auto& c : cuts) c = in.ConsumeIntegralInRange<std::size_t>(0, 64);
  const std::string stream = in.ConsumeRemainingBytesAsString();

  const Outcome whole = parse(stream, {});
  const Outcome pieces = parse(stream, cuts);
  FUZZ_CHECK(whole.too_long == pieces.too_long);
  if (whole.too_long) return 0;
  FUZZ_CHECK(whole.events.size() == pieces.events.size());
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    FUZZ_CHECK(same(whole.events[i], pieces.events[i]));
    FUZZ_CHECK(!whole.events[i].event.empty());
  }
  FUZZ_CHECK(whole.partial == pieces.partial);
  FUZZ_CHECK(whole.last_id == pieces.last_id);
  return 0;
}
