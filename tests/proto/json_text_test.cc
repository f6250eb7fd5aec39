#include "proto/json_text.h"

#include <gtest/gtest.h>

#include <string>

#include "proto/api_error.h"

namespace w2v::proto {
namespace {

using nlohmann::json;

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(Utf8, AsciiAndEmptyAreValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello world"));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
}

TEST(Utf8, MultiByteSequencesAreValid) {
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));               // 2 bytes: é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));              // 3 bytes: €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));          // 4 bytes: U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));              // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));              // U+E000, just above surrogates
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));              // U+0800, shortest 3-byte form
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));          // U+10000, shortest 4-byte form
  EXPECT_TRUE(is_valid_utf8("\xD0\x9C\xD0\xB8\xD1\x80"));  // Мир
  EXPECT_TRUE(is_valid_utf8("\xE6\x97\xA5\xE6\x9C\xAC"));  // 日本
}

TEST(Utf8, InvalidSequencesAreRejected) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));          // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));          // truncated 2-byte sequence
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));      // truncated 3-byte sequence
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));  // truncated 4-byte sequence
  EXPECT_FALSE(is_valid_utf8("\xC3(a"));        // lead byte without continuation
}

TEST(Utf8, OverlongFormsAreRejected) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // '/' in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8, SurrogatesAndOutOfRangeAreRejected) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // old 5-byte form
}

TEST(JsonString, ValidTextIsUnchanged) {
  for (const std::string s : {"", "word", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                              "a\xF0\x9F\x98\x80z\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(json_string(s), s);
  }
}

TEST(JsonString, EachInvalidByteBecomesOneReplacementCharacter) {
  EXPECT_EQ(json_string("\xFF"), kReplacement);
  EXPECT_EQ(json_string("a\xFF"
                        "b"),
            "a" + kReplacement + "b");
  EXPECT_EQ(json_string("\xFF\xFE"), kReplacement + kReplacement);
  // An overlong '/' is two invalid bytes, not one character.
  EXPECT_EQ(json_string("\xC0\xAF"), kReplacement + kReplacement);
  // A surrogate's three bytes are each replaced.
  EXPECT_EQ(json_string("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  // A truncated sequence: its bytes are replaced, the valid text around it kept.
  EXPECT_EQ(json_string("x\xE2\x82y"), "x" + kReplacement + kReplacement + "y");
  // Valid multi-byte characters next to invalid bytes survive intact.
  EXPECT_EQ(json_string("\xC3\xA9\x80\xF0\x9F\x98\x80"),
            "\xC3\xA9" + kReplacement + "\xF0\x9F\x98\x80");
}

TEST(JsonString, ResultIsAlwaysValid) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string out = json_string(all);
  EXPECT_TRUE(is_valid_utf8(out));
  // The 128 ASCII bytes survive; each of the other 128 bytes is replaced.
  EXPECT_EQ(out.size(), 128u + 128u * kReplacement.size());
}

TEST(Dump, InvalidUtf8DoesNotThrow) {
  json j = {{"word", std::string("bad\xFF\xC0word")}, {"list", {std::string("\xED\xA0\x80")}}};
  EXPECT_THROW((void)j.dump(), json::type_error);  // nlohmann's default is strict
  std::string out;
  ASSERT_NO_THROW(out = dump(j));
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_NE(out.find("bad" + kReplacement), std::string::npos);
  // The output is JSON that parses back.
  const json back = json::parse(out);
  EXPECT_TRUE(is_valid_utf8(back["word"].get<std::string>()));
}

TEST(Dump, JsonStringKeepsValidTextAndIndentWorks) {
  const json j = {{"w", json_string("\xF0\x9F\x98\x80")}};
  EXPECT_EQ(dump(j), "{\"w\":\"\xF0\x9F\x98\x80\"}");
  EXPECT_EQ(dump(j, 2), "{\n  \"w\": \"\xF0\x9F\x98\x80\"\n}");
}

TEST(ErrorBody, HasCodeAndMessage) {
  const json j = json::parse(error_body("not_found", "no word \xFF here"));
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_EQ(j["error"]["message"], "no word " + kReplacement + " here");
}

TEST(ApiErrorTest, FactoriesSetStatusAndCode) {
  const ApiError e = ApiError::bad_request("dim is wrong");
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), "invalid_argument");
  EXPECT_STREQ(e.what(), "dim is wrong");
  EXPECT_EQ(ApiError::not_found("x").status(), 404);
  EXPECT_EQ(ApiError::conflict("x").status(), 409);
}

}  // namespace
}  // namespace w2v::proto
