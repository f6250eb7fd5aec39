// The pieces that decide who may ask what (issue 23), each on its own: the Host allow-list and
// the cross-site check (server/http/origin_guard.h), the token's file and the Authorization
// header (server/access/access_token.h), and the budget of wrong tokens (auth_throttle.h). The
// end-to-end side is tests/e2e/browser_attacks_test.cc.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "server/access/access_token.h"
#include "server/access/auth_throttle.h"
#include "server/http/origin_guard.h"
#include "support/temp_dir.h"

namespace w2v::server {
namespace {

Request request(std::string method, std::map<std::string, std::string> headers) {
  Request r;
  r.method = std::move(method);
  r.path = "/v1/jobs";
  r.headers = std::move(headers);
  return r;
}

TEST(HostAllowList, LoopbackNamesWithAnyPortAndTheBindAddress) {
  const HostAllowList hosts("192.168.1.5", {"W2VD.example.org", "fe80::1"});
  for (const char* h : {"127.0.0.1", "127.0.0.1:8080", "localhost", "LocalHost:1", "[::1]",
                        "[::1]:8080", "192.168.1.5:8080", "w2vd.example.org", "[fe80::1]:80"}) {
    EXPECT_TRUE(hosts.allows(h)) << h;
  }
  for (const char* h :
       {"", "evil.example", "127.0.0.1.evil.example", "localhost.", "127.0.0.2", "localhost:80x",
        "[::1", "[::1]x", "::1", "w2vd.example.org.evil", "0.0.0.0:8080"}) {
    EXPECT_FALSE(hosts.allows(h)) << h;
  }
  EXPECT_FALSE(HostAllowList("0.0.0.0", {}).allows("0.0.0.0"));
  EXPECT_FALSE(HostAllowList("::", {}).allows("[::]"));
  EXPECT_TRUE(HostAllowList("127.0.0.1", {"*"}).allows("anything.example"));
  EXPECT_EQ(host_of(" Example.ORG:443 "), "example.org");
  EXPECT_EQ(host_of("[::1]:8080"), "[::1]");
}

TEST(CheckOrigin, ForeignHostsAre421AndForeignWrites403) {
  const HostAllowList hosts("127.0.0.1", {});
  const auto status = [&](Request r) {
    const auto refusal = check_origin(r, hosts);
    return refusal ? refusal->status : 0;
  };
  EXPECT_EQ(status(request("GET", {{"host", "rebind.example:8080"}})), 421);
  EXPECT_EQ(status(request("GET", {})), 0) << "no Host: HTTP/1.0, no browser";
  EXPECT_EQ(status(request("GET", {{"host", "127.0.0.1:8080"}, {"origin", "http://evil"}})), 0)
      << "reads are the answer's business (no CORS)";
  const std::map<std::string, std::string> own = {{"host", "127.0.0.1:8080"}};
  auto with = [&](std::map<std::string, std::string> more) {
    more.insert(own.begin(), own.end());
    return request("POST", std::move(more));
  };
  EXPECT_EQ(status(with({})), 0) << "curl";
  EXPECT_EQ(status(with({{"origin", "http://127.0.0.1:8080"}})), 0);
  EXPECT_EQ(status(with({{"origin", "HTTP://127.0.0.1:8080"}, {"sec-fetch-site", "Same-Origin"}})),
            0);
  EXPECT_EQ(status(with({{"sec-fetch-site", "none"}})), 0);
  EXPECT_EQ(status(with({{"origin", "http://127.0.0.1:8081"}})), 403);
  EXPECT_EQ(status(with({{"origin", "http://localhost:8080"}})), 403);
  EXPECT_EQ(status(with({{"origin", "null"}})), 403);
  EXPECT_EQ(status(with({{"origin", "http://127.0.0.1:8080.evil"}})), 403);
  EXPECT_EQ(status(with({{"sec-fetch-site", "same-site"}})), 403);
  EXPECT_EQ(status(with({{"sec-fetch-site", "cross-site"}})), 403);
  // Default ports on one side only; https through a TLS proxy.
  const HostAllowList proxied("127.0.0.1", {"w2vd.example.org"});
  for (const auto& [origin, host] : std::vector<std::pair<std::string, std::string>>{
           {"https://w2vd.example.org", "w2vd.example.org"},
           {"https://w2vd.example.org", "w2vd.example.org:443"},
           {"http://w2vd.example.org:80", "w2vd.example.org"}}) {
    EXPECT_FALSE(check_origin(request("DELETE", {{"host", host}, {"origin", origin}}), proxied))
        << origin << " to " << host;
  }
  const auto r = check_origin(request("GET", {{"host", "evil.example"}}), hosts);
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("--allowed-hosts"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("Host header"), std::string::npos) << r->body;
}

TEST(AccessToken, BearerInAnyCaseAndOnlyTheToken) {
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_TRUE(bearer_matches("bearer abc", "abc"));
  EXPECT_TRUE(bearer_matches("BEARER   abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abcd", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer ab", "abc"));
  EXPECT_FALSE(bearer_matches("Basic abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearerabc", "abc"));
  EXPECT_FALSE(bearer_matches("abc", "abc"));
}

TEST(AccessToken, GeneratedOnlyOffLoopbackWithoutATokenKeptAt0600AndReused) {
  for (const char* a :
       {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_address(a)) << a;
  }
  for (const char* a : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.org"}) {
    EXPECT_FALSE(is_loopback_address(a)) << a;
  }
  w2v::testing::TempDir tmp("token");
  DataDir dirs(tmp.path() + "/data");
  ServerConfig config;
  EXPECT_TRUE(resolve_access_token(config, dirs).token.empty()) << "loopback: open";
  config.bind = "0.0.0.0";
  const AccessToken made = resolve_access_token(config, dirs);
  EXPECT_TRUE(made.generated);
  EXPECT_EQ(made.file, dirs.token_file());
  EXPECT_GE(made.token.size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(made.file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(resolve_access_token(config, dirs).token, made.token) << "reused";
  config.no_auth = true;
  EXPECT_TRUE(resolve_access_token(config, dirs).token.empty());
  config.token = "given";
  EXPECT_EQ(resolve_access_token(config, dirs).token, "given");
  EXPECT_FALSE(resolve_access_token(config, dirs).generated);
}

TEST(AuthThrottle, ABurstThenAFewASecondPerAddress) {
  AuthThrottle throttle(5, 2);
  const auto t0 = AuthThrottle::Clock::now();
  int tried = 0;
  for (int i = 0; i < 20; ++i) {
    if (!throttle.may_try("10.0.0.1", t0)) continue;
    ++tried;
    throttle.failed("10.0.0.1", t0);
  }
  EXPECT_EQ(tried, 5);
  EXPECT_TRUE(throttle.may_try("10.0.0.2", t0)) << "another address has its own budget";
  EXPECT_FALSE(throttle.may_try("10.0.0.1", t0 + std::chrono::milliseconds(400)));
  EXPECT_TRUE(throttle.may_try("10.0.0.1", t0 + std::chrono::milliseconds(600)));
  throttle.failed("10.0.0.1", t0 + std::chrono::milliseconds(600));
  EXPECT_FALSE(throttle.may_try("10.0.0.1", t0 + std::chrono::milliseconds(700)));
  EXPECT_TRUE(throttle.may_try("10.0.0.1", t0 + std::chrono::seconds(60)));
}

}  // namespace
}  // namespace w2v::server
