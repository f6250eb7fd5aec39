// The request head -> Request step without sockets: target forms, decoding, the authorize hook,
// routing, 404/405 and the framing checks that need the route.

#include "server/http/request_head.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "proto/api_error.h"

namespace w2v::server {
namespace {

std::string error_code(const Response& r) {
  return nlohmann::json::parse(r.body)["error"]["code"].get<std::string>();
}

class RequestHeadTest : public ::testing::Test {
 protected:
  RequestHeadTest() {
    auto ok = [](Request&) { return Response::text(200, "ok"); };
    router_.add("GET", "/v1/models/{id}/words/{word}", ok);
    router_.add("GET", "/v1/models/{id}", ok);
    router_.add("DELETE", "/v1/models/{id}", ok);
    router_.add("POST", "/echo", ok);
    router_.add_document("POST", "/v1/models/{id}/evaluate", ok);
    router_.add_upload("POST", "/v1/corpora",
                       [](const Request&) -> std::unique_ptr<UploadHandler> { return nullptr; });
    limits_.max_body_bytes = 1000;
    limits_.max_document_bytes = 3000;
    limits_.max_upload_bytes = 5000;
  }

  RoutedRequest route(RequestHead head, const AuthorizeHook& authorize = {}) {
    return route_request(std::move(head), router_, authorize, limits_, "id1", "10.0.0.1");
  }
  static RequestHead head(std::string method, std::string target) {
    RequestHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    return h;
  }

  Router router_;
  HeadLimits limits_;
};

TEST_F(RequestHeadTest, RoutesAndDecodesEachPartOnce) {
  auto h = head("GET", "/v1/models/m%201/words/and%2For?k=5&q=a+b%26c");
  h.fields = {{"X-Test", "one"}, {"x-test", "two"}, {"Host", "h"}};
  auto r = route(std::move(h));
  ASSERT_FALSE(r.answer);
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->pattern, "/v1/models/{id}/words/{word}");
  EXPECT_EQ(r.request.path, "/v1/models/m 1/words/and/or");
  EXPECT_EQ(r.request.param("id"), "m 1");
  EXPECT_EQ(r.request.param("word"), "and/or");  // an encoded slash stays in its segment
  EXPECT_EQ(r.request.query_param("k"), "5");
  EXPECT_EQ(r.request.query_param("q"), "a b&c");
  EXPECT_EQ(r.request.header("x-test"), "one, two");
  EXPECT_EQ(r.request.target, "/v1/models/m%201/words/and%2For?k=5&q=a+b%26c");
  EXPECT_EQ(r.request.request_id, "id1");
  EXPECT_EQ(r.request.remote, "10.0.0.1");
}

TEST_F(RequestHeadTest, AbsoluteFormTargets) {
  auto r = route(head("GET", "http://example.com:8080/v1/models/abc?x=1"));
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.request.param("id"), "abc");
  EXPECT_EQ(r.request.query_param("x"), "1");
  r = route(head("GET", "https://example.com"));  // no path: "/"
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 404);
}

TEST_F(RequestHeadTest, MalformedTargetsAre400) {
  for (const char* target : {"*", "v1/models", "/v1/models/%zz", "/v1/models/a%2", "/echo?q=%G1"}) {
    auto r = route(head("GET", target));
    ASSERT_TRUE(r.answer) << target;
    EXPECT_EQ(r.answer->status, 400) << target;
    EXPECT_EQ(r.route, nullptr);
  }
}

TEST_F(RequestHeadTest, NotFoundAndMethodNotAllowed) {
  auto r = route(head("GET", "/nope/x"));
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 404);
  EXPECT_EQ(r.answer->body, proto::error_body("not_found", "no route for GET /nope/x"));

  r = route(head("PUT", "/v1/models/m"));
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 405);
  EXPECT_EQ(error_code(*r.answer), "method_not_allowed");
  ASSERT_EQ(r.answer->headers.size(), 1u);
  EXPECT_EQ(r.answer->headers[0], (std::pair<std::string, std::string>{"Allow", "DELETE, GET"}));

  r = route(head("XQ1", "/v1/models/m"));  // any token is a method; it just has no route
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 405);
}

TEST_F(RequestHeadTest, AuthorizeRunsBeforeRoutingAndSeesTheDecodedRequest) {
  int calls = 0;
  AuthorizeHook authorize = [&](const Request& req) -> std::optional<Response> {
    ++calls;
    EXPECT_EQ(req.request_id, "id1");
    if (req.header("authorization") == "Bearer t") return std::nullopt;
    return error_response(401, "unauthorized", "token needed for " + req.path);
  };
  auto r = route(head("GET", "/nope%20here"), authorize);  // refused even where 404 would be
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 401);
  EXPECT_EQ(r.answer->body, proto::error_body("unauthorized", "token needed for /nope here"));
  auto h = head("GET", "/v1/models/m");
  h.fields = {{"Authorization", "Bearer t"}};
  r = route(std::move(h), authorize);
  EXPECT_FALSE(r.answer);
  EXPECT_NE(r.route, nullptr);
  EXPECT_EQ(calls, 2);

  AuthorizeHook throwing = [](const Request&) -> std::optional<Response> {
    throw proto::ApiError(403, "forbidden", "no");
  };
  EXPECT_THROW(route(head("GET", "/v1/models/m"), throwing), proto::ApiError);
}

TEST_F(RequestHeadTest, BodyFramingChecks) {
  auto h = head("POST", "/echo");
  h.content_length = 1001;
  auto r = route(h);
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 413);
  EXPECT_EQ(error_code(*r.answer), "payload_too_large");
  h.content_length = 1000;
  EXPECT_FALSE(route(h).answer);
  h.content_length.reset();  // no framing: an empty body, fine for an ordinary route
  EXPECT_FALSE(route(h).answer);

  auto u = head("POST", "/v1/corpora");
  r = route(u);
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 411);
  EXPECT_EQ(error_code(*r.answer), "length_required");
  u.chunked = true;
  EXPECT_FALSE(route(u).answer);
  u.chunked = false;
  u.content_length = 5001;
  r = route(u);
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 413);
  u.content_length = 5000;  // more than an ordinary body may be: uploads have their own limit
  r = route(u);
  EXPECT_FALSE(r.answer);
  ASSERT_NE(r.route, nullptr);
  EXPECT_TRUE(r.route->upload);
  EXPECT_EQ(r.body_limit, 5000u);
}

// A JSON request and a document (an evaluation file) have their own limits; the routed
// request carries the one that applies, for the body reader (chunked bodies).
TEST_F(RequestHeadTest, DocumentRoutesHaveTheirOwnBodyLimit) {
  auto json = head("POST", "/echo");
  json.content_length = 2000;
  auto r = route(json);
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 413);
  EXPECT_NE(r.answer->body.find("limit of 1000 bytes"), std::string::npos) << r.answer->body;
  json.chunked = true;
  json.content_length.reset();
  r = route(json);
  EXPECT_FALSE(r.answer);
  EXPECT_EQ(r.body_limit, 1000u);

  auto doc = head("POST", "/v1/models/m1/evaluate");
  doc.content_length = 2000;
  r = route(doc);
  EXPECT_FALSE(r.answer);
  EXPECT_EQ(r.body_limit, 3000u);
  doc.content_length = 3001;
  r = route(doc);
  ASSERT_TRUE(r.answer);
  EXPECT_EQ(r.answer->status, 413);
  EXPECT_NE(r.answer->body.find("limit of 3000 bytes"), std::string::npos) << r.answer->body;
}

}  // namespace
}  // namespace w2v::server
