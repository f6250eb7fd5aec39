#pragma once
// The shape of every JSON request target: bytes -> parse_json_body -> parse_X. A rejected body
// must be a 400 ApiError with a message (any other exception escapes and is a crash to
// libFuzzer); an accepted one, written back as JSON by to_json and parsed again, must give an
// equal request.
#include <string>

#include "fuzz/fuzz_support.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"

namespace w2v::fuzz {

template <class Parse, class ToJson, class Equal>
void check_json_request(const std::uint8_t* data, std::size_t size, Parse parse, ToJson to_json,
                        Equal equal) {
  const std::string body(as_text(data, size));
  try {
    const auto request = parse(proto::parse_json_body(body));
    const std::string again = proto::dump(to_json(request));
    FUZZ_CHECK(equal(parse(proto::parse_json_body(again)), request));
  } catch (const proto::ApiError& e) {
    FUZZ_CHECK(e.status() == 400);
    FUZZ_CHECK(!std::string(e.what()).empty());
  }
}

}  // namespace w2v::fuzz
