#include "server/http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace w2v::server {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

std::string call(const Router::Match& m) {
  EXPECT_NE(m.route, nullptr);
  if (m.route == nullptr) return "";
  Request req;
  return m.route->handler(req).body;
}

class NullUpload : public UploadHandler {
 public:
  void on_data(std::string_view) override {}
  Response on_complete() override { return Response::json(201, "{}"); }
  void on_abort() noexcept override {}
};

Router make_router() {
  Router r;
  r.add("GET", "/healthz", named("healthz"));
  r.add("GET", "/v1/models", named("list"));
  r.add("GET", "/v1/models/{id}", named("show"));
  r.add("DELETE", "/v1/models/{id}", named("delete"));
  r.add("POST", "/v1/models/import", named("import"));
  r.add("GET", "/v1/models/{id}/words/{word}", named("word"));
  r.add("GET", "/v1/models/{id}/similar", named("similar"));
  r.add("POST", "/v1/models/{id}/similar", named("similar-post"));
  r.add_upload("POST", "/v1/corpora",
               [](const Request&) { return std::make_unique<NullUpload>(); });
  r.add("GET", "/", named("root"));
  return r;
}

TEST(RouterTest, MatchesLiteralRoutes) {
  Router r = make_router();
  EXPECT_EQ(call(r.match("GET", "/healthz")), "healthz");
  EXPECT_EQ(call(r.match("GET", "/v1/models")), "list");
  EXPECT_EQ(call(r.match("GET", "/")), "root");
  auto m = r.match("GET", "/healthz");
  EXPECT_EQ(m.route->pattern, "/healthz");
  EXPECT_TRUE(m.params.empty());
  EXPECT_TRUE(m.allowed.empty());
}

TEST(RouterTest, ExtractsParameters) {
  Router r = make_router();
  auto m = r.match("GET", "/v1/models/m42/words/king");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/models/{id}/words/{word}");
  EXPECT_EQ(m.params.at("id"), "m42");
  EXPECT_EQ(m.params.at("word"), "king");
  EXPECT_EQ(m.params.size(), 2u);

  auto show = r.match("DELETE", "/v1/models/abc");
  EXPECT_EQ(call(show), "delete");
  EXPECT_EQ(show.params.at("id"), "abc");
}

TEST(RouterTest, ParameterMatchesExactlyOneNonEmptySegment) {
  Router r = make_router();
  EXPECT_EQ(r.match("GET", "/v1/models/").route, nullptr);  // empty {id}
  EXPECT_TRUE(r.match("GET", "/v1/models/").allowed.empty());
  EXPECT_EQ(r.match("GET", "/v1/models/a/b").route, nullptr);  // two segments
  EXPECT_EQ(r.match("GET", "/v1/models/a/words/").route, nullptr);
  EXPECT_EQ(r.match("GET", "/v1/models/a/words/x/y").route, nullptr);
  EXPECT_EQ(r.match("GET", "/healthz/").route, nullptr);  // trailing slash is another path
  EXPECT_EQ(r.match("GET", "healthz").route, nullptr);    // not a path
  EXPECT_EQ(r.match("GET", "").route, nullptr);
}

TEST(RouterTest, LiteralSegmentsWinOverParameters) {
  Router r = make_router();
  auto imp = r.match("POST", "/v1/models/import");
  EXPECT_EQ(call(imp), "import");
  EXPECT_EQ(imp.route->pattern, "/v1/models/import");
  EXPECT_TRUE(imp.params.empty());
  // With another method the parameter route still serves the literal as an id.
  auto show = r.match("GET", "/v1/models/import");
  EXPECT_EQ(call(show), "show");
  EXPECT_EQ(show.params.at("id"), "import");

  // Registration order does not matter.
  Router r2;
  r2.add("GET", "/a/{x}/c", named("param"));
  r2.add("GET", "/a/b/{y}", named("literal-first"));
  EXPECT_EQ(call(r2.match("GET", "/a/b/c")), "literal-first");
  EXPECT_EQ(call(r2.match("GET", "/a/z/c")), "param");
}

TEST(RouterTest, NotFoundVersusMethodNotAllowed) {
  Router r = make_router();
  auto none = r.match("GET", "/v2/nothing");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed.empty());

  auto put = r.match("PUT", "/v1/models/m1");
  EXPECT_EQ(put.route, nullptr);
  EXPECT_EQ(put.allowed, (std::vector<std::string>{"DELETE", "GET"}));

  auto del = r.match("DELETE", "/v1/models/m1/similar");
  EXPECT_EQ(del.route, nullptr);
  EXPECT_EQ(del.allowed, (std::vector<std::string>{"GET", "POST"}));

  // The methods of every pattern matching the path, each once.
  auto patch = r.match("PATCH", "/v1/models/import");
  EXPECT_EQ(patch.allowed, (std::vector<std::string>{"DELETE", "GET", "POST"}));

  auto get_corpora = r.match("GET", "/v1/corpora");
  EXPECT_EQ(get_corpora.route, nullptr);
  EXPECT_EQ(get_corpora.allowed, (std::vector<std::string>{"POST"}));
}

TEST(RouterTest, UploadRoutes) {
  Router r = make_router();
  auto m = r.match("POST", "/v1/corpora");
  ASSERT_NE(m.route, nullptr);
  EXPECT_TRUE(static_cast<bool>(m.route->upload));
  EXPECT_FALSE(static_cast<bool>(m.route->handler));
  Request req;
  EXPECT_NE(m.route->upload(req), nullptr);
}

TEST(RouterTest, EncodedPathsAreSplitThenDecoded) {
  Router r = make_router();
  auto m = r.match_encoded("GET", "/v1/models/m/words/caf%C3%A9");
  ASSERT_TRUE(m.has_value());
  ASSERT_NE(m->route, nullptr);
  EXPECT_EQ(m->params.at("word"), "caf\xC3\xA9");  // "café"
  EXPECT_EQ(m->params.at("id"), "m");

  // An encoded slash stays inside its segment.
  auto slash = r.match_encoded("GET", "/v1/models/m/words/and%2For");
  ASSERT_TRUE(slash.has_value());
  ASSERT_NE(slash->route, nullptr);
  EXPECT_EQ(slash->params.at("word"), "and/or");

  // Literal segments are compared decoded; '+' is not a space in a path.
  auto lit = r.match_encoded("GET", "/v1/%6Dodels/a+b");
  ASSERT_TRUE(lit.has_value());
  ASSERT_NE(lit->route, nullptr);
  EXPECT_EQ(lit->params.at("id"), "a+b");

  EXPECT_FALSE(r.match_encoded("GET", "/v1/models/m/words/caf%C").has_value());
  EXPECT_FALSE(r.match_encoded("GET", "/v1/models/%zz").has_value());

  // A decoded path goes to match().
  auto decoded = r.match("GET", "/v1/models/m/words/caf\xC3\xA9");
  ASSERT_NE(decoded.route, nullptr);
  EXPECT_EQ(decoded.params.at("word"), "caf\xC3\xA9");

  auto nf = r.match_encoded("GET", "/nothing");
  ASSERT_TRUE(nf.has_value());
  EXPECT_EQ(nf->route, nullptr);
  EXPECT_TRUE(nf->allowed.empty());
}

TEST(RouterTest, RejectsBadRegistrations) {
  Router r;
  EXPECT_THROW(r.add("GET", "no-slash", named("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{}", named("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{x", named("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/x{y}", named("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a", Handler()), std::invalid_argument);
  EXPECT_THROW(r.add_upload("POST", "/a", UploadFactory()), std::invalid_argument);
  r.add("GET", "/a/{x}", named("x"));
  EXPECT_THROW(r.add("GET", "/a/{y}", named("y")), std::invalid_argument);  // same shape
  EXPECT_NO_THROW(r.add("POST", "/a/{y}", named("y")));
  EXPECT_EQ(r.routes().size(), 2u);
  EXPECT_EQ(r.routes()[0].segments, (std::vector<std::string>{"a", "{x}"}));
}

TEST(RequestTest, PercentDecode) {
  EXPECT_EQ(percent_decode("caf%C3%a9", false), "caf\xC3\xA9");
  EXPECT_EQ(percent_decode("a+b%20c", false), "a+b c");
  EXPECT_EQ(percent_decode("a+b%20c", true), "a b c");
  EXPECT_EQ(percent_decode("%2B", true), "+");
  EXPECT_EQ(percent_decode("", false), "");
  EXPECT_EQ(percent_decode("100%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%g0", false), std::nullopt);
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
}

TEST(RequestTest, ParseQuery) {
  auto q = parse_query("word=caf%C3%A9&k=10&flag&k=20&&empty=&a+b=c+d");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->size(), 6u);
  EXPECT_EQ(q->find("word")->second, "caf\xC3\xA9");
  EXPECT_EQ(q->find("flag")->second, "");
  EXPECT_EQ(q->find("empty")->second, "");
  EXPECT_EQ(q->find("a b")->second, "c d");
  EXPECT_EQ(q->count("k"), 2u);
  EXPECT_FALSE(parse_query("a=%zz").has_value());
  EXPECT_FALSE(parse_query("%=1").has_value());
  EXPECT_TRUE(parse_query("")->empty());

  Request req;
  req.query = *q;
  EXPECT_EQ(req.query_param("k"), "10");  // the first value
  EXPECT_EQ(req.query_param("missing"), std::nullopt);
  req.headers["content-type"] = "text/plain";
  EXPECT_EQ(req.header("content-type"), "text/plain");
  EXPECT_EQ(req.header("accept"), std::nullopt);
}

}  // namespace
}  // namespace w2v::server
