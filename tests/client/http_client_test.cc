// The client library without a real w2vd: url_encode, the Server-Sent Events parser, base URL
// handling, and HttpClient against small scripted servers (keep-alive and reconnecting,
// streamed and gzip uploads with 100-continue, downloads, event streams, timeouts).

#include "client/http_client.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/sse_parser.h"
#include "support/temp_dir.h"

namespace w2v::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// ---- url_encode ----

TEST(UrlEncode, KeepsUnreservedCharacters) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(url_encode(unreserved), unreserved);
  EXPECT_EQ(url_encode(""), "");
}

TEST(UrlEncode, EncodesEverythingElseAsUppercaseHex) {
  EXPECT_EQ(url_encode("a b"), "a%20b");
  EXPECT_EQ(url_encode("a/b?c=d&e#f"), "a%2Fb%3Fc%3Dd%26e%23f");
  EXPECT_EQ(url_encode("100%"), "100%25");
  EXPECT_EQ(url_encode("a+b"), "a%2Bb");
  EXPECT_EQ(url_encode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(url_encode(std::string("\0\x01\x7F\xFF", 4)), "%00%01%7F%FF");
  EXPECT_EQ(url_encode(":@!$'()*,;[]"), "%3A%40%21%24%27%28%29%2A%2C%3B%5B%5D");
}

TEST(UrlEncode, EveryByteRoundTrips) {
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    const std::string e = url_encode(s);
    if (e.size() == 1) {
      EXPECT_TRUE(std::isalnum(b) || b == '-' || b == '.' || b == '_' || b == '~') << b;
    } else {
      ASSERT_EQ(e.size(), 3u) << b;
      EXPECT_EQ(e[0], '%');
      EXPECT_EQ(std::stoi(e.substr(1), nullptr, 16), b);
      EXPECT_EQ(e.substr(1), [&] {
        std::string u = e.substr(1);
        for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return u;
      }());
    }
  }
}

// ---- SseParser ----

std::vector<SseEvent> parse_all(const std::string& stream) {
  SseParser p;
  p.feed(stream);
  std::vector<SseEvent> out;
  while (auto e = p.next()) out.push_back(*e);
  return out;
}

std::vector<SseEvent> parse_bytewise(const std::string& stream) {
  SseParser p;
  std::vector<SseEvent> out;
  for (char c : stream) {
    p.feed(std::string_view(&c, 1));
    while (auto e = p.next()) out.push_back(*e);
  }
  return out;
}

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

TEST(SseParser, NamedEventsAndDefaultName) {
  const auto events = parse_all(
      "event: progress\ndata: {\"a\":1}\n\n"
      "data: plain\n\n"
      "event: end\ndata: {}\n\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event, "progress");
  EXPECT_EQ(events[0].data, "{\"a\":1}");
  EXPECT_EQ(events[1].event, "message");
  EXPECT_EQ(events[1].data, "plain");
  EXPECT_EQ(events[2].event, "end");
  EXPECT_EQ(events[2].data, "{}");
}

TEST(SseParser, MultipleDataLinesAreJoinedWithNewlines) {
  const auto events = parse_all("data: one\ndata: two\ndata:\ndata:  four\n\n");
  ASSERT_EQ(events.size(), 1u);
  // One space after the colon is dropped, a second one is data; "data:" is an empty line.
  EXPECT_EQ(events[0].data, "one\ntwo\n\n four");
}

TEST(SseParser, FieldWithoutColonAndColonWithoutSpace) {
  const auto events = parse_all("data\n\nevent:x\ndata:y\n\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");
  EXPECT_EQ(events[1].event, "x");
  EXPECT_EQ(events[1].data, "y");
}

TEST(SseParser, CommentsAndUnknownFieldsAreIgnored) {
  const auto events = parse_all(
      ": keep-alive\n\n"
      ":another comment\nevent: e\n: in the middle\ndata: d\nretry: 1000\nfoo: bar\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "e");
  EXPECT_EQ(events[0].data, "d");
}

TEST(SseParser, EventWithoutDataIsNotDispatchedAndResetsTheName) {
  const auto events = parse_all("event: lonely\n\ndata: next\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[0].data, "next");
}

TEST(SseParser, CrLfAndLoneCrEndLines) {
  const auto crlf = parse_all("event: a\r\ndata: 1\r\ndata: 2\r\n\r\nevent: b\r\ndata: 3\r\n\r\n");
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].event, "a");
  EXPECT_EQ(crlf[0].data, "1\n2");
  EXPECT_EQ(crlf[1].event, "b");
  EXPECT_EQ(crlf[1].data, "3");

  const auto cr = parse_all("event: a\rdata: 1\r\rdata: 2\n\r\n");
  ASSERT_EQ(cr.size(), 2u);
  EXPECT_EQ(cr[0].event, "a");
  EXPECT_EQ(cr[0].data, "1");
  EXPECT_EQ(cr[1].data, "2");
}

TEST(SseParser, CrLfSplitAcrossFeedsIsOneLineEnd) {
  SseParser p;
  p.feed("data: x\r");
  EXPECT_FALSE(p.next());
  p.feed("\n");  // the LF of the CRLF, not an empty line
  EXPECT_FALSE(p.next());
  p.feed("\r");
  auto e = p.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->data, "x");
  p.feed("\ndata: y\r\n\r\n");  // the LF completing the CRLF above, then one more event
  e = p.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->data, "y");
  EXPECT_FALSE(p.next());
}

TEST(SseParser, ByteByByteGivesTheSameEvents) {
  const std::string stream =
      "\xEF\xBB\xBF: comment\r\n"
      "event: progress\r\ndata: {\"epoch\": 1,\r\ndata:  \"x\": \"caf\xC3\xA9\"}\r\n\r\n"
      "id: 7\nevent: progress\ndata: second\n\n"
      "data\rdata: cr only\r\r"
      ": tail comment\n"
      "event: end\ndata: {\"done\":true}\n\n";
  const auto whole = parse_all(stream);
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[0].event, "progress");
  EXPECT_EQ(whole[0].data, "{\"epoch\": 1,\n \"x\": \"caf\xC3\xA9\"}");
  EXPECT_EQ(whole[0].id, "");
  EXPECT_EQ(whole[1].data, "second");
  EXPECT_EQ(whole[1].id, "7");
  EXPECT_EQ(whole[2].event, "message");
  EXPECT_EQ(whole[2].data, "\ncr only");
  EXPECT_EQ(whole[3].event, "end");
  EXPECT_EQ(whole[3].data, "{\"done\":true}");
  EXPECT_TRUE(same(parse_bytewise(stream), whole));

  // Every way of cutting the stream in two, and random cuts into many pieces.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SseParser p;
    p.feed(std::string_view(stream).substr(0, cut));
    p.feed(std::string_view(stream).substr(cut));
    std::vector<SseEvent> out;
    while (auto e = p.next()) out.push_back(*e);
    EXPECT_TRUE(same(out, whole)) << "cut at " << cut;
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    SseParser p;
    std::vector<SseEvent> out;
    for (std::size_t i = 0; i < stream.size();) {
      const std::size_t n = std::min<std::size_t>(stream.size() - i, 1 + rng() % 9);
      p.feed(std::string_view(stream).substr(i, n));
      i += n;
      while (auto e = p.next()) out.push_back(*e);
    }
    EXPECT_TRUE(same(out, whole)) << "round " << round;
  }
}

TEST(SseParser, ByteOrderMarkOnlyAtTheStart) {
  // A BOM is skipped at the start, even fed byte by byte.
  auto events = parse_bytewise(
      "\xEF\xBB\xBF"
      "data: a\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a");
  // Bytes that start like a BOM but are not one are kept.
  events = parse_all(
      "\xEF\xBB"
      "data: b\n\n");
  EXPECT_TRUE(events.empty());  // the first line's field is "\xEF\xBB" "data"
  events = parse_all(
      "data: \xEF\xBB\xBF"
      "c\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data,
            "\xEF\xBB\xBF"
            "c");
}

TEST(SseParser, IncompleteEventAtTheEndIsNotDispatched) {
  SseParser p;
  EXPECT_FALSE(p.has_partial_event());
  p.feed("data: whole\n\nevent: end\ndata: cut");
  auto e = p.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->data, "whole");
  EXPECT_FALSE(p.next());
  EXPECT_TRUE(p.has_partial_event());
  p.feed("\n");
  EXPECT_FALSE(p.next());
  EXPECT_TRUE(p.has_partial_event());
  p.feed("\n");
  e = p.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event, "end");
  EXPECT_EQ(e->data, "cut");
  EXPECT_FALSE(p.has_partial_event());
}

TEST(SseParser, OverlongLinesAreRejected) {
  SseParser p(16);
  EXPECT_THROW(p.feed("data: " + std::string(20, 'x')), std::length_error);
  SseParser q(16);
  q.feed("data: 0123456\n");
  EXPECT_THROW(q.feed("data: 0123456789\n"), std::length_error);  // 8 + 11 bytes of data
}

// ---- base URLs ----

TEST(HttpClientUrl, OnlyHttpIsAccepted) {
  try {
    HttpClient c(ClientOptions{"https://example.com", "", std::chrono::seconds(1)});
    FAIL() << "https accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("only http://"), std::string::npos) << e.what();
  }
  EXPECT_THROW(HttpClient(ClientOptions{"127.0.0.1:8080", "", {}}), std::invalid_argument);
  EXPECT_THROW(HttpClient(ClientOptions{"http://", "", {}}), std::invalid_argument);
  EXPECT_THROW(HttpClient(ClientOptions{"http://host:0", "", {}}), std::invalid_argument);
  EXPECT_THROW(HttpClient(ClientOptions{"http://host:99999", "", {}}), std::invalid_argument);
  EXPECT_THROW(HttpClient(ClientOptions{"http://host:x1", "", {}}), std::invalid_argument);
  EXPECT_THROW(HttpClient(ClientOptions{"http://u:p@host:1", "", {}}), std::invalid_argument);
  EXPECT_NO_THROW(HttpClient(ClientOptions{"http://127.0.0.1:8080", "", {}}));
  EXPECT_NO_THROW(HttpClient(ClientOptions{"HTTP://localhost", "", {}}));
  EXPECT_NO_THROW(HttpClient(ClientOptions{"http://[::1]:8080/", "", {}}));
  EXPECT_NO_THROW(HttpClient(ClientOptions{"http://localhost:8080/prefix/", "", {}}));
}

// ---- against scripted servers ----

// Accepts connections on 127.0.0.1 and runs session(socket, n) for each, one at a time, on its
// own thread (the client under test uses one connection at a time).
class ScriptedServer {
 public:
  using Session = std::function<void(tcp::socket&, int)>;
  explicit ScriptedServer(Session session)
      : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
        session_(std::move(session)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    net::io_context ioc;
    tcp::socket wake(ioc);
    beast::error_code ec;
    wake.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  void run() {
    for (int n = 0;; ++n) {
      tcp::socket s(ioc_);
      beast::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stopping_) return;
      ++connections_;
      try {
        session_(s, n);
      } catch (const std::exception&) {
      }
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  Session session_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

void respond(tcp::socket& s, http::status status, const std::string& body, bool keep_alive,
             const std::string& type = "application/json") {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, type);
  res.keep_alive(keep_alive);
  res.body() = body;
  res.prepare_payload();
  http::write(s, res);
}

// Reads a whole request, answering "Expect: 100-continue" when answer_continue.
http::request<http::string_body> read_request(tcp::socket& s, beast::flat_buffer& buf,
                                              bool answer_continue = true) {
  http::request_parser<http::string_body> p;
  p.body_limit(std::numeric_limits<std::uint64_t>::max());
  http::read_header(s, buf, p);
  if (answer_continue && p.get()[http::field::expect] == "100-continue") {
    const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
    net::write(s, net::buffer(cont));
  }
  http::read(s, buf, p);
  return p.release();
}

// Waits until the peer closes (or sends something, which is discarded).
void wait_for_close(tcp::socket& s) {
  char c[256];
  beast::error_code ec;
  while (!ec) s.read_some(net::buffer(c), ec);
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    ret = inflate(&zs, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
  }
  EXPECT_EQ(ret, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

using testing::TempDir;

std::string text_of_size(std::size_t n) {
  std::string s;
  std::mt19937 rng(3);
  const char* words[] = {"the ", "quick ", "brown ", "fox\n", "jumps ", "over ", "a ", "dog "};
  while (s.size() < n) s += words[rng() % 8];
  s.resize(n);
  return s;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(HttpClient, ConnectionRefusedNamesTheUrl) {
  std::uint16_t port = 0;
  {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  HttpClient c(ClientOptions{url, "", std::chrono::seconds(5)});
  try {
    c.request("GET", "/healthz");
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot connect to " + url + ": Connection refused");
  }
}

TEST(HttpClient, KeepsTheConnectionAndSendsTheToken) {
  std::vector<std::string> seen;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    for (int i = 0; i < 3; ++i) {
      const auto req = read_request(s, buf);
      seen.push_back(std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                     std::string(req[http::field::authorization]) + " " + req.body());
      respond(s, http::status::ok, "{\"n\":" + std::to_string(i) + "}", true);
    }
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url() + "/base/", "secret", std::chrono::seconds(5)});
  auto r = c.request("GET", "/v1/jobs");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"n\":0}");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  r = c.request("POST", "/v1/jobs", "{}");
  EXPECT_EQ(r.body, "{\"n\":1}");
  r = c.request("DELETE", "/v1/x", "", "application/json", {{"X-Extra", "1"}});
  EXPECT_EQ(r.body, "{\"n\":2}");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "GET /base/v1/jobs Bearer secret ");
  EXPECT_EQ(seen[1], "POST /base/v1/jobs Bearer secret {}");
  EXPECT_EQ(seen[2], "DELETE /base/v1/x Bearer secret ");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, RetriesOnceWhenAReusedConnectionWasClosed) {
  // Connection 0 answers one request, then reads the next and closes without answering (as a
  // server whose idle timeout struck just then); connection 1 answers normally.
  ScriptedServer server([](tcp::socket& s, int n) {
    beast::flat_buffer buf;
    read_request(s, buf);
    respond(s, http::status::ok, n == 0 ? "first" : "retried", true);
    if (n == 0) {
      read_request(s, buf);
      return;  // closes
    }
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  EXPECT_EQ(c.request("POST", "/a", "{}").body, "first");
  EXPECT_EQ(c.request("POST", "/b", "{}").body, "retried");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, RetriesAnUploadWhoseBodyWasNotSent) {
  TempDir dir;
  const std::string content = text_of_size(100000);
  write_file(dir.file("corpus.txt"), content);
  std::string received;
  ScriptedServer server([&](tcp::socket& s, int n) {
    beast::flat_buffer buf;
    if (n == 0) {
      read_request(s, buf);
      respond(s, http::status::ok, "{}", true);
      http::request_parser<http::empty_body> p;
      p.body_limit(std::numeric_limits<std::uint64_t>::max());
      http::read_header(s, buf, p);
      return;  // closes without "100 Continue"
    }
    received = read_request(s, buf).body();
    respond(s, http::status::created, "{}", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  EXPECT_EQ(c.request("GET", "/").status, 200);
  EXPECT_EQ(c.upload_file("/u", dir.file("corpus.txt"), "text/plain", true).status, 201);
  EXPECT_EQ(gunzip(received), content);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, DoesNotRetryAfterATimeout) {
  ScriptedServer server([](tcp::socket& s, int) {
    beast::flat_buffer buf;
    read_request(s, buf);
    respond(s, http::status::ok, "{}", true);
    wait_for_close(s);  // reads the second request and never answers
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(1)});
  EXPECT_EQ(c.request("GET", "/").status, 200);
  EXPECT_THROW(c.request("POST", "/v1/jobs", "{}"), ConnectionError);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, DoesNotRetryOnAFreshConnection) {
  ScriptedServer server([](tcp::socket& s, int) {
    beast::flat_buffer buf;
    read_request(s, buf);  // and close without an answer
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  try {
    c.request("GET", "/x");
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find(server.url()), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ConnectionCloseIsHonoured) {
  ScriptedServer server([](tcp::socket& s, int n) {
    beast::flat_buffer buf;
    read_request(s, buf);
    respond(s, http::status::ok, std::to_string(n), false);
    s.shutdown(tcp::socket::shutdown_send);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  EXPECT_EQ(c.request("GET", "/").body, "0");
  EXPECT_EQ(c.request("GET", "/").body, "1");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, TimesOut) {
  ScriptedServer server([](tcp::socket& s, int) { wait_for_close(s); });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(1)});
  const auto start = std::chrono::steady_clock::now();
  try {
    c.request("GET", "/slow");
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out after 1 s"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(HttpClient, UploadsWithContentLength) {
  TempDir dir;
  const std::string content = text_of_size((5 << 20) / 2);  // 2.5 MiB: three pieces
  write_file(dir.file("corpus.txt"), content);
  std::string received, length, expect;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    auto req = read_request(s, buf);
    received = req.body();
    length = std::string(req[http::field::content_length]);
    expect = std::string(req[http::field::expect]);
    respond(s, http::status::created, "{\"id\":\"c_1\"}", true);
    read_request(s, buf);
    respond(s, http::status::ok, "again", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  const auto r = c.upload_file(
      "/v1/corpora?name=x", dir.file("corpus.txt"), "text/plain", false,
      [&](std::uint64_t done, std::uint64_t total) { progress.emplace_back(done, total); });
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"id\":\"c_1\"}");
  EXPECT_EQ(received, content);
  EXPECT_EQ(length, std::to_string(content.size()));
  EXPECT_EQ(expect, "100-continue");
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress.back().first, content.size());
  EXPECT_EQ(progress.back().second, content.size());
  // The connection stays usable.
  EXPECT_EQ(c.request("GET", "/").body, "again");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, UploadsToServersThatIgnoreExpectContinue) {
  TempDir dir;
  const std::string content = text_of_size(1000);
  write_file(dir.file("corpus.txt"), content);
  std::string received;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    received = read_request(s, buf, /*answer_continue=*/false).body();
    respond(s, http::status::created, "{}", false);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  EXPECT_EQ(c.upload_file("/u", dir.file("corpus.txt"), "text/plain", false).status, 201);
  EXPECT_EQ(received, content);
}

TEST(HttpClient, UploadsGzipChunked) {
  TempDir dir;
  const std::string content = text_of_size(3 << 20);
  write_file(dir.file("corpus.txt"), content);
  std::string received, encoding, transfer;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    auto req = read_request(s, buf);
    received = req.body();
    encoding = std::string(req[http::field::content_encoding]);
    transfer = std::string(req[http::field::transfer_encoding]);
    respond(s, http::status::created, "{}", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  std::uint64_t last_done = 0, last_total = 0;
  const auto r = c.upload_file("/v1/corpora", dir.file("corpus.txt"), "text/plain", true,
                               [&](std::uint64_t done, std::uint64_t total) {
                                 EXPECT_GE(done, last_done);
                                 last_done = done;
                                 last_total = total;
                               });
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(encoding, "gzip");
  EXPECT_EQ(transfer, "chunked");
  EXPECT_LT(received.size(), content.size() / 2);
  EXPECT_EQ(gunzip(received), content);
  EXPECT_EQ(last_done, content.size());
  EXPECT_EQ(last_total, content.size());
}

TEST(HttpClient, UploadRefusedBeforeTheBodyIsNotSent) {
  TempDir dir;
  write_file(dir.file("big.txt"), text_of_size(4 << 20));
  std::size_t body_bytes_seen = 0;
  ScriptedServer server([&](tcp::socket& s, int n) {
    beast::flat_buffer buf;
    if (n == 0) {
      http::request_parser<http::empty_body> p;
      p.body_limit(std::numeric_limits<std::uint64_t>::max());
      http::read_header(s, buf, p);
      respond(s, http::status::unsupported_media_type, "{\"error\":{}}", false);
      s.shutdown(tcp::socket::shutdown_send);
      // Count what still arrives before the client closes.
      char c[65536];
      beast::error_code ec;
      body_bytes_seen = buf.size();
      while (!ec) body_bytes_seen += s.read_some(net::buffer(c), ec);
      return;
    }
    read_request(s, buf);
    respond(s, http::status::ok, "next", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  bool progressed = false;
  const auto r = c.upload_file("/v1/corpora", dir.file("big.txt"), "application/pdf", false,
                               [&](std::uint64_t, std::uint64_t) { progressed = true; });
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body, "{\"error\":{}}");
  EXPECT_FALSE(progressed);
  EXPECT_EQ(c.request("GET", "/").body, "next");  // on a new connection
  EXPECT_EQ(body_bytes_seen, 0u);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, UploadOfAMissingFileThrows) {
  HttpClient c(ClientOptions{"http://127.0.0.1:9", "", std::chrono::seconds(1)});
  EXPECT_THROW(c.upload_file("/u", "/nonexistent/file", "text/plain", false), std::runtime_error);
}

TEST(HttpClient, DownloadsToAFile) {
  TempDir dir;
  const std::string content = text_of_size((7 << 20) / 2);
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    auto req = read_request(s, buf);
    if (req.target() == "/missing") {
      respond(s, http::status::not_found, "{\"error\":{\"code\":\"x\",\"message\":\"y\"}}", true);
    } else {
      respond(s, http::status::ok, content, true, "application/octet-stream");
    }
    read_request(s, buf);
    respond(s, http::status::ok, content, true, "application/octet-stream");
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  const std::string path = dir.file("vectors.bin");
  auto r = c.download("/missing", path);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"x\",\"message\":\"y\"}}");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  r = c.download("/v1/models/m/vectors", path);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(read_file(path), content);
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, TruncatedDownloadLeavesNoFile) {
  TempDir dir;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    read_request(s, buf);
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\nonly part";
    net::write(s, net::buffer(head));
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  const std::string path = dir.file("out.txt");
  EXPECT_THROW(c.download("/x", path), ConnectionError);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
}

// Writes an event stream in small pieces with pauses, as a live server does.
void write_events(tcp::socket& s, const std::string& text) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Connection: close\r\n\r\n";
  net::write(s, net::buffer(head));
  for (std::size_t i = 0; i < text.size(); i += 7) {
    net::write(s, net::buffer(text.substr(i, 7)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST(HttpClient, StreamsEventsUntilTheEnd) {
  const std::string text =
      ": hello\n\nevent: progress\ndata: {\"epoch\":1}\n\nevent: progress\r\ndata: "
      "{\"epoch\":2}\r\n\r\nevent: end\ndata: {\"epoch\":3,\ndata: \"done\":true}\n\n";
  std::string accept;
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    accept = std::string(read_request(s, buf)[http::field::accept]);
    write_events(s, text);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  std::vector<std::pair<std::string, std::string>> events;
  const int status = c.stream_events("/v1/jobs/j/events", [&](const auto& e, const auto& d) {
    events.emplace_back(e, d);
    return true;
  });
  EXPECT_EQ(status, 200);
  EXPECT_EQ(accept, "text/event-stream");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], std::make_pair(std::string("progress"), std::string("{\"epoch\":1}")));
  EXPECT_EQ(events[1], std::make_pair(std::string("progress"), std::string("{\"epoch\":2}")));
  EXPECT_EQ(events[2],
            std::make_pair(std::string("end"), std::string("{\"epoch\":3,\n\"done\":true}")));
}

TEST(HttpClient, StopsStreamingWhenAsked) {
  ScriptedServer server([&](tcp::socket& s, int n) {
    beast::flat_buffer buf;
    read_request(s, buf);
    if (n == 0) {
      write_events(s, "event: progress\ndata: 1\n\nevent: progress\ndata: 2\n\n");
      wait_for_close(s);  // the stream never ends by itself
      return;
    }
    respond(s, http::status::ok, "after", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  int seen = 0;
  EXPECT_EQ(c.stream_events("/e", [&](const auto&, const auto&) { return ++seen < 1; }), 200);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(c.request("GET", "/").body, "after");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, EventStreamErrorStatusReturnsTheBody) {
  ScriptedServer server([&](tcp::socket& s, int) {
    beast::flat_buffer buf;
    read_request(s, buf);
    respond(s, http::status::not_found, "{\"error\":{\"code\":\"job_not_found\"}}", true);
    wait_for_close(s);
  });
  HttpClient c(ClientOptions{server.url(), "", std::chrono::seconds(5)});
  std::string body;
  bool called = false;
  EXPECT_EQ(c.stream_events(
                "/e", [&](const auto&, const auto&) { return called = true; }, &body),
            404);
  EXPECT_FALSE(called);
  EXPECT_EQ(body, "{\"error\":{\"code\":\"job_not_found\"}}");
}

}  // namespace
}  // namespace w2v::client
