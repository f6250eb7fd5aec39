// What a web page open in the user's browser can make the browser send to a w2vd on loopback,
// tried against a real w2vd (issue 23): DNS rebinding (a foreign Host header), cross-site writes
// (a foreign Origin or Sec-Fetch-Site on every state-changing route, uploads refused before
// their body is read), HTML forms (the content types a page may send without asking: refused
// where JSON is taken), preflights (never granted), and what the responses say about
// themselves (nosniff, no-store, the dashboard's CSP); ids of the wrong shape; the token a
// daemon on a non-loopback address generates for itself; wrong tokens slowed down. Every
// request goes to 127.0.0.1. The programs' side (curl without Origin, w2vctl) is the rest of
// the suite, which sends no Origin and passes.

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "core/base/ascii.h"
#include "e2e/support.h"

namespace w2v::testing {
namespace {

struct Reply {
  int status = 0;
  std::string head;  // the status line and header fields, lower-cased
  std::string body;
  bool has(const std::string& lower_field) const {
    return head.find(lower_field) != std::string::npos;
  }
  std::string code() const {
    try {
      return nlohmann::json::parse(body).at("error").at("code");
    } catch (...) {
      return "";
    }
  }
};

using Fields = std::vector<std::pair<std::string, std::string>>;

// One request on its own connection. host: the Host header ("" for none). length: the
// Content-Length to announce (the body's own by default).
Reply send(std::uint16_t port, const std::string& method, const std::string& target,
           const Fields& fields = {}, const std::string& body = "",
           std::optional<std::string> host = std::nullopt,
           std::optional<std::uint64_t> length = std::nullopt) {
  std::string req = method + " " + target + " HTTP/1.1\r\n";
  const std::string h = host.value_or("127.0.0.1:" + std::to_string(port));
  if (!h.empty()) req += "Host: " + h + "\r\n";
  for (const auto& [name, value] : fields) req += name + ": " + value + "\r\n";
  req += "Content-Length: " + std::to_string(length.value_or(body.size())) + "\r\n";
  req += "Connection: close\r\n\r\n" + body;
  const std::string raw = raw_exchange(port, req);
  Reply r;
  r.status = raw_status(raw);
  const std::size_t end = raw.find("\r\n\r\n");
  r.head = ascii_lower(raw.substr(0, end));
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

std::string json_body(const nlohmann::json& j) {
  return j.dump();
}

// The daemon every test of this file shares (loopback, no token): a corpus, a finished job and
// an imported model, so every route has something to act on.
class BrowserAttacks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    d_ = std::make_unique<Daemon>();
    corpus_ = d_->api.upload_corpus(d_->corpus_file(), "mine").id;
    job_ = submit_job(d_->api, corpus_, planted_job_params(1), "mine").id;
    d_->api.watch_job(job_);
    model_ =
        d_->api.import_model(write_random_model(d_->dir.path() + "/m.bin", 50, 8), "imported").id;
    write_file(d_->dir.path() + "/pairs.txt", "w1 w2 5\nw3 w4 1\nw5 w6 3\n");
  }
  static void TearDownTestSuite() { d_.reset(); }

  static std::uint16_t port() { return d_->server.port(); }
  static std::string self() { return "http://127.0.0.1:" + std::to_string(port()); }

  // What the store holds, to see that no refused request changed anything.
  static std::string state() {
    std::ostringstream out;
    for (const auto& c : d_->api.corpora()) out << c.id << ' ' << c.name << '\n';
    for (const auto& j : d_->api.jobs()) out << j.id << ' ' << proto::to_string(j.status) << '\n';
    for (const auto& m : d_->api.models())
      out << m.id << ' ' << m.name << ' ' << name_of(proto::kSearchNames, m.search) << '\n';
    return out.str();
  }

  struct Call {
    std::string method, target, content_type, body;
  };
  // Every state-changing route, each with a request that a program could make succeed.
  static std::vector<Call> writes() {
    const std::string m = "/v1/models/" + model_;
    return {
        {"POST", "/v1/corpora?name=planted", "text/plain", "a b c\n"},
        {"POST", "/v1/models?name=planted&format=text", "text/plain", "1 2\nw 0.5 0.5\n"},
        {"POST", "/v1/jobs", "application/json", json_body({{"corpus_id", corpus_}})},
        {"POST", "/v1/jobs/" + job_ + "/cancel", "", ""},
        {"PATCH", m, "application/json", R"({"name":"planted"})"},
        {"POST", m + "/similar", "application/json", R"({"positive":["w1"]})"},
        {"POST", m + "/analogy", "application/json", R"({"a":"w1","b":"w2","c":"w3"})"},
        {"POST", m + "/evaluate?kind=pairs", "text/plain", "w1 w2 5\nw3 w4 1\nw5 w6 3\n"},
        {"DELETE", "/v1/corpora/" + corpus_, "", ""},
        {"DELETE", m, "", ""},
        {"OPTIONS", "/v1/jobs", "", ""},
    };
  }
  static Reply call(const Call& c, Fields fields, std::optional<std::string> host = std::nullopt) {
    if (!c.content_type.empty()) fields.emplace_back("Content-Type", c.content_type);
    return send(port(), c.method, c.target, fields, c.body, std::move(host));
  }

  static std::unique_ptr<Daemon> d_;
  static std::string corpus_, job_, model_;
};

std::unique_ptr<Daemon> BrowserAttacks::d_;
std::string BrowserAttacks::corpus_, BrowserAttacks::job_, BrowserAttacks::model_;

TEST_F(BrowserAttacks, AForeignHostIsRefusedOnEveryRouteButTheProbes) {
  const std::string m = "/v1/models/" + model_;
  std::vector<Call> reads = {
      {"GET", "/metrics", "", ""},
      {"GET", "/v1/openapi.yaml", "", ""},
      {"GET", "/", "", ""},
      {"GET", "/ui/", "", ""},
      {"GET", "/ui/app.js", "", ""},
      {"GET", "/v1/corpora", "", ""},
      {"GET", "/v1/corpora/" + corpus_, "", ""},
      {"GET", "/v1/jobs", "", ""},
      {"GET", "/v1/jobs/" + job_, "", ""},
      {"GET", "/v1/jobs/" + job_ + "/events", "", ""},
      {"GET", "/v1/jobs/" + job_ + "/history", "", ""},
      {"GET", "/v1/params", "", ""},
      {"GET", "/v1/models", "", ""},
      {"GET", m, "", ""},
      {"GET", m + "/vectors", "", ""},
      {"GET", m + "/words/w1", "", ""},
      {"GET", m + "/similar?word=w1", "", ""},
      {"GET", m + "/similarity?a=w1&b=w2", "", ""},
      {"GET", m + "/words?prefix=w", "", ""},
      {"GET", m + "/map?n=10", "", ""},
      {"HEAD", "/v1/models", "", ""},
  };
  const std::string before = state();
  for (const std::string& host : std::vector<std::string>{
           "rebind.attacker.example:" + std::to_string(port()),
           std::string("rebind.attacker.example"), std::string("127.0.0.1.attacker.example"),
           std::string("localhost.:80")}) {
    for (const auto& calls : std::vector<std::vector<Call>>{reads, writes()}) {
      for (const Call& c : calls) {
        const Reply r = call(c, {}, host);
        EXPECT_EQ(r.status, 421) << c.method << ' ' << c.target << " Host: " << host << '\n'
                                 << r.head;
        if (c.method == "HEAD") continue;
        EXPECT_EQ(r.code(), "host_not_allowed") << c.target;
        EXPECT_NE(r.body.find("Host header"), std::string::npos) << r.body;
        EXPECT_NE(r.body.find("--allowed-hosts"), std::string::npos) << r.body;
      }
    }
  }
  // The probes say only that w2vd runs: orchestrators address them by the container's IP.
  EXPECT_EQ(send(port(), "GET", "/healthz", {}, "", "10.1.2.3:8080").status, 200);
  EXPECT_EQ(send(port(), "GET", "/readyz", {}, "", "10.1.2.3:8080").status, 200);
  EXPECT_EQ(state(), before);

  // Loopback's names, with any port (a published container port differs from w2vd's), or none.
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1", "localhost:9999", "LOCALHOST:8080", "[::1]:8080"}) {
    EXPECT_EQ(send(port(), "GET", "/v1/models", {}, "", host).status, 200) << host;
  }
  // An HTTP/1.0 request without Host comes from no browser.
  EXPECT_EQ(raw_exchange(port(), "GET /v1/models HTTP/1.0\r\n\r\n").substr(0, 12), "HTTP/1.0 200");
}

TEST_F(BrowserAttacks, NoStateChangingRouteTakesARequestFromAnotherSiteOrOrigin) {
  const std::string before = state();
  const std::vector<Fields> foreign = {
      {{"Origin", "http://evil.example"}},
      {{"Origin", "http://127.0.0.1:" + std::to_string(port() == 1 ? 2 : port() - 1)}},
      {{"Origin", "http://localhost:" + std::to_string(port())}},
      {{"Origin", "https://127.0.0.1:" + std::to_string(port()) + ".evil.example"}},
      {{"Origin", "null"}},
      {{"Sec-Fetch-Site", "cross-site"}},
      {{"Sec-Fetch-Site", "same-site"}},
      {{"Sec-Fetch-Site", "cross-site"}, {"Origin", self()}},
      {{"Sec-Fetch-Site", "same-origin"}, {"Origin", "http://evil.example"}},
  };
  for (const Call& c : writes()) {
    for (const Fields& f : foreign) {
      const Reply r = call(c, f);
      EXPECT_EQ(r.status, 403) << c.method << ' ' << c.target << " from " << f[0].second << '\n'
                               << r.head << r.body;
      EXPECT_TRUE(r.code() == "cross_site_request" || r.code() == "cross_origin_request") << r.body;
      EXPECT_FALSE(r.has("access-control-allow")) << r.head;
    }
  }
  EXPECT_EQ(state(), before);

  // An upload is refused on its headers: a 10 GiB body announced and never sent is answered at
  // once (raw_exchange would time out waiting otherwise).
  for (const std::string& target :
       std::vector<std::string>{"/v1/corpora?name=big", "/v1/models?name=big"}) {
    const Reply r = send(port(), "POST", target,
                         {{"Origin", "http://evil.example"}, {"Content-Type", "text/plain"}},
                         "the first bytes", std::nullopt, 10ull << 30);
    EXPECT_EQ(r.status, 403) << target;
  }
  EXPECT_EQ(d_->server.log().find("upload refused"), std::string::npos);

  // The dashboard's own requests (same origin, by every name of loopback) go through.
  const Reply ok = send(
      port(), "PATCH", "/v1/models/" + model_,
      {{"Origin", self()}, {"Sec-Fetch-Site", "same-origin"}, {"Content-Type", "application/json"}},
      R"({"name":"renamed"})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  const std::string local = "localhost:" + std::to_string(port());
  const Reply ok2 = send(port(), "PATCH", "/v1/models/" + model_,
                         {{"Origin", "http://" + local}, {"Content-Type", "application/json"}},
                         R"({"name":"imported"})", local);
  EXPECT_EQ(ok2.status, 200) << ok2.body;
  // A typed address or a bookmark (Sec-Fetch-Site: none) is the user's own request.
  const Reply typed = send(port(), "POST", "/v1/models/" + model_ + "/similar",
                           {{"Sec-Fetch-Site", "none"}, {"Content-Type", "application/json"}},
                           R"({"positive":["w1"]})");
  EXPECT_EQ(typed.status, 200) << typed.body;
}

TEST_F(BrowserAttacks, FormBodiesAreNotTakenAsJson) {
  // What a <form> (or a no-cors fetch) may send without a preflight, with no Origin at all (as
  // if the Origin check were not there): every route that takes JSON refuses it.
  const std::string before = state();
  const std::string m = "/v1/models/" + model_;
  const std::vector<Call> json_routes = {
      {"POST", "/v1/jobs", "", json_body({{"corpus_id", corpus_}})},
      {"PATCH", m, "", R"({"name":"planted"})"},
      {"POST", m + "/similar", "", R"({"positive":["w1"]})"},
      {"POST", m + "/analogy", "", R"({"a":"w1","b":"w2","c":"w3"})"},
  };
  for (const Call& c : json_routes) {
    for (const std::string& type : std::vector<std::string>{
             "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
             "multipart/form-data; boundary=x", ""}) {
      Fields f;
      if (!type.empty()) f.emplace_back("Content-Type", type);
      const Reply r = send(port(), c.method, c.target, f, c.body);
      EXPECT_EQ(r.status, 415) << c.method << ' ' << c.target << " as " << type;
      EXPECT_EQ(r.code(), "unsupported_media_type");
      EXPECT_NE(r.body.find("application/json"), std::string::npos) << r.body;
    }
  }
  // The form a page would post to start a job: enctype=text/plain makes "name=value" JSON.
  const std::string form = R"({"corpus_id":")" + corpus_ + R"(","x":"=1"})";
  EXPECT_EQ(send(port(), "POST", "/v1/jobs", {{"Content-Type", "text/plain"}}, form).status, 415);
  EXPECT_EQ(state(), before);
  // JSON with a charset parameter, in any case, is JSON.
  const Reply r =
      send(port(), "POST", m + "/similar", {{"Content-Type", "Application/JSON; charset=utf-8"}},
           R"({"positive":["w1"]})");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(BrowserAttacks, APreflightIsNeverGranted) {
  for (const Fields& f : std::vector<Fields>{
           {},
           {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}},
           {{"Origin", self()}, {"Access-Control-Request-Method", "DELETE"}}}) {
    for (const std::string& target :
         std::vector<std::string>{"/v1/jobs", "/v1/models/" + model_, "/ui/"}) {
      const Reply r = send(port(), "OPTIONS", target, f);
      EXPECT_TRUE(r.status == 403 || r.status == 405) << target << ' ' << r.status;
      EXPECT_FALSE(r.has("access-control-")) << r.head;
    }
  }
}

TEST_F(BrowserAttacks, ResponsesSayWhatTheyAreAndDataIsNotCached) {
  const std::string m = "/v1/models/" + model_;
  for (const std::string& target :
       std::vector<std::string>{"/v1/models", m, m + "/vectors", m + "/vectors?format=text",
                                m + "/similar?word=w1", "/v1/models/m_nothere", "/metrics",
                                "/healthz", "/ui/", "/ui/app.js", "/v1/openapi.yaml"}) {
    const Reply r = send(port(), "GET", target);
    EXPECT_TRUE(r.has("\r\nx-content-type-options: nosniff")) << target << '\n' << r.head;
    if (target.starts_with("/v1/")) {
      EXPECT_TRUE(r.has("\r\ncache-control: no-store")) << target << '\n' << r.head;
    }
  }
  for (const Reply& r : {send(port(), "GET", "/v1/models", {}, "", "evil.example"),
                         send(port(), "DELETE", m, {{"Origin", "http://evil.example"}})}) {
    EXPECT_TRUE(r.has("\r\nx-content-type-options: nosniff")) << r.head;
  }
  const Reply ui = send(port(), "GET", "/ui/");
  EXPECT_TRUE(ui.has("frame-ancestors 'none'")) << ui.head;
  EXPECT_TRUE(ui.has("form-action 'self'")) << ui.head;
  EXPECT_TRUE(ui.has("base-uri 'none'")) << ui.head;
  EXPECT_TRUE(ui.has("\r\ncache-control: no-cache")) << ui.head;
}

TEST_F(BrowserAttacks, IdsOfTheWrongShapeAreUnknownBeforeAnyPathIsMade) {
  const std::string before = state();
  for (const auto& [method, target, code] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/v1/models/..%2F..%2Fetc", "model_not_found"},
           {"GET", "/v1/models/%2Fetc%2Fpasswd/vectors", "model_not_found"},
           {"GET", "/v1/models/m_..%2Fm_x/words/w1", "model_not_found"},
           {"DELETE", "/v1/models/.", "model_not_found"},
           {"GET", "/v1/models/" + corpus_, "model_not_found"},
           {"GET", "/v1/corpora/c_a%00b", "corpus_not_found"},
           {"DELETE", "/v1/corpora/c_..", "corpus_not_found"},
           {"GET", "/v1/jobs/j_A/history", "job_not_found"},
           {"POST", "/v1/jobs/..%2Fjobs%2F" + job_ + "/cancel", "job_not_found"}}) {
    const Reply r = send(port(), method, target);
    EXPECT_EQ(r.status, 404) << method << ' ' << target << ' ' << r.body;
    EXPECT_EQ(r.code(), code) << target;
    EXPECT_NE(r.body.find("ids are"), std::string::npos) << r.body;
  }
  EXPECT_EQ(state(), before);
  EXPECT_FALSE(std::filesystem::exists(d_->server.data_dir() + "/token"))
      << "a loopback daemon makes no token";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AccessToken, ANonLoopbackDaemonWithoutATokenMakesOneKeepsItAndRequiresIt) {
  Daemon d({"--bind", "0.0.0.0"});
  const std::string file = d.server.data_dir() + "/token";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0) << d.server.log();
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string token = read_all(file);
  while (!token.empty() && token.back() == '\n') token.pop_back();
  EXPECT_GE(token.size(), 32u);
  const std::string log = d.server.log();
  EXPECT_NE(log.find(file), std::string::npos) << log;
  EXPECT_NE(log.find("/ui/#token=" + token), std::string::npos) << log;
  EXPECT_EQ(log.find("?token="), std::string::npos) << "never in a query string";

  const auto port = d.server.port();
  EXPECT_EQ(send(port, "GET", "/v1/models").status, 401);
  EXPECT_EQ(send(port, "GET", "/healthz").status, 200);
  for (const std::string& scheme : std::vector<std::string>{"Bearer ", "bearer ", "BEARER  "}) {
    EXPECT_EQ(send(port, "GET", "/v1/models", {{"Authorization", scheme + token}}).status, 200)
        << scheme;
  }
  EXPECT_EQ(send(port, "GET", "/v1/models", {{"Authorization", "Basic " + token}}).status, 401);

  // Kept: the same token after a restart.
  ASSERT_EQ(d.server.stop(), 0);
  d.server.restart();
  EXPECT_EQ(read_all(file), token + "\n");
  EXPECT_EQ(send(d.server.port(), "GET", "/v1/models").status, 401);
  EXPECT_EQ(
      send(d.server.port(), "GET", "/v1/models", {{"Authorization", "Bearer " + token}}).status,
      200);
}

TEST(AccessToken, NoAuthServesANonLoopbackDaemonOpenlyAndSaysSoAtEveryStart) {
  Daemon d({"--bind", "0.0.0.0", "--no-auth"});
  EXPECT_NE(d.server.log().find("--no-auth: /v1 is served without a token"), std::string::npos)
      << d.server.log();
  EXPECT_FALSE(std::filesystem::exists(d.server.data_dir() + "/token"));
  EXPECT_EQ(send(d.server.port(), "GET", "/v1/models").status, 200);
  // Still no cross-site writes and no foreign Host.
  EXPECT_EQ(
      send(d.server.port(), "DELETE", "/v1/models/m_x", {{"Origin", "http://evil.example"}}).status,
      403);
  EXPECT_EQ(send(d.server.port(), "GET", "/v1/models", {}, "", "evil.example").status, 421);
}

TEST(AccessToken, WrongTokensFromOneAddressAreSlowedToAFewPerSecond) {
  Daemon d({"--token", "the-right-token"});
  const auto port = d.server.port();
  constexpr int kGuesses = 60;
  int unauthorized = 0, throttled = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kGuesses; ++i) {
    const Reply r =
        send(port, "GET", "/v1/models", {{"Authorization", "Bearer guess-" + std::to_string(i)}});
    if (r.status == 401) ++unauthorized;
    if (r.status == 429) {
      ++throttled;
      EXPECT_TRUE(r.has("\r\nretry-after: 1")) << r.head;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(unauthorized + throttled, kGuesses);
  // A burst of 20, then 4 a second.
  EXPECT_LE(unauthorized, 20 + static_cast<int>(4 * seconds) + 1) << seconds << " s";
  if (seconds < 5) {
    EXPECT_GT(throttled, 0);
  }
  // Without credentials it is the ordinary 401 (the dashboard's first visit asks for the token).
  EXPECT_EQ(send(port, "GET", "/v1/models").status, 401);
}

}  // namespace
}  // namespace w2v::testing
