#pragma once
// Shared pieces of the end-to-end tests: a running daemon with a client, the planted corpus as
// a file, and raw-socket HTTP for requests a well-behaved client cannot send.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/api_client.h"
#include "core/io/vectors_io.h"
#include "proto/api_error.h"
#include "proto/requests.h"
#include "support/planted_corpus.h"
#include "support/random_vectors.h"
#include "support/server_process.h"

namespace w2v::testing {

inline const PlantedCorpus& planted() {
  static const PlantedCorpus c = make_planted_corpus();
  return c;
}

// Training parameters for the planted corpus over the API (about a second of training).
inline nlohmann::json planted_job_params(int epochs = 5) {
  return {{"dim", 40},        {"min_count", 1}, {"sample", 1e-3},
          {"epochs", epochs}, {"seed", 11},     {"threads", 2}};
}

// POST /v1/jobs: the job's parameters as the API takes them, read into the request by proto/'s
// own parser (the one the server runs), so the server receives what the JSON says.
inline proto::JobRecord submit_job(client::W2vdClient& api, const std::string& corpus_id,
                                   const nlohmann::json& params = planted_job_params(),
                                   const std::string& name = "", const std::string& init_model = "",
                                   const std::string& vocabulary = "", int ranks = 1) {
  nlohmann::json body = {{"corpus_id", corpus_id},
                         {"params", params.is_null() ? nlohmann::json::object() : params}};
  if (!name.empty()) body["name"] = name;
  if (!init_model.empty()) body["init_model"] = init_model;
  if (!vocabulary.empty()) body["vocabulary"] = vocabulary;
  if (ranks != 1) body["ranks"] = ranks;
  return api.submit_job(proto::parse_create_job(body));
}

inline std::string write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// A random binary model of n words "w0".."w<n-1>" written to path (for POST /v1/models).
inline std::string write_random_model(const std::string& path, std::size_t n, std::size_t dim,
                                      std::uint64_t seed = 5) {
  const Embeddings emb = random_embeddings(n, dim, seed);
  const std::vector<std::string_view> words = emb.words();
  save_vectors_file(path, words, emb.vectors(), VectorsFormat::kBinary);
  return path;
}

// An error response's status, code and message.
struct ErrorBody {
  int status;
  std::string code, message;
};

inline ErrorBody error_of(const client::HttpResponse& r) {
  const auto j = nlohmann::json::parse(r.body);
  return {r.status, j.at("error").at("code"), j.at("error").at("message")};
}

// The ApiError f throws (status 0 when it throws none).
template <class F>
proto::ApiError api_error_of(F&& f) {
  try {
    f();
  } catch (const proto::ApiError& e) {
    return e;
  }
  return proto::ApiError(0, "none", "no error");
}

// The w2vd under test: this build's, or W2VD_UNDER_TEST when set (e.g. an older build, to see
// a new test fail against it).
inline std::string w2vd_binary() {
  const char* other = std::getenv("W2VD_UNDER_TEST");
  return other != nullptr && *other != '\0' ? other : W2VD_BINARY;
}

// A daemon on a fresh data directory and a client for it.
struct Daemon {
  TempDir dir;
  ServerProcess server;
  client::W2vdClient api;
  explicit Daemon(std::vector<std::string> args = {}, const std::string& token = "")
      : dir("e2e"),
        server(w2vd_binary(), dir.path() + "/data", std::move(args)),
        api(client::ClientOptions{server.url(), token, std::chrono::seconds(60)}) {}
  std::string corpus_file() {
    std::string path = dir.path() + "/planted.txt";
    if (!std::filesystem::exists(path)) write_file(path, planted().text);
    return path;
  }
};

// Follows a job that a daemon's crash interrupted, on the restarted daemon, to its end: it
// must succeed on its second attempt, resumed from a checkpoint of at least min_epoch.
inline proto::JobRecord finish_resumed_job(client::W2vdClient& api, const ServerProcess& server,
                                           const std::string& job, int min_epoch) {
  const auto done = api.watch_job(job);
  EXPECT_EQ(done.status, proto::JobStatus::kSucceeded) << done.error.value_or("") << server.log();
  EXPECT_EQ(done.attempts, 2);
  EXPECT_GE(done.resumed_from_epoch.value_or(-1), min_epoch);
  return done;
}

// Follows the model's record until its HNSW index is ready or failed (a query or a PATCH asked
// for it: it is made in the background), up to timeout; the last status seen.
inline proto::IndexStatus wait_for_index(client::W2vdClient& api, const std::string& model_id,
                                         std::chrono::seconds timeout = std::chrono::seconds(300)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const proto::IndexStatus s = api.model(model_id).index;
    if (s.state == proto::IndexState::kReady || s.state == proto::IndexState::kFailed) return s;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "the index of " << model_id << " is still "
                    << name_of(proto::kIndexStateNames, s.state);
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // between two looks
  }
}

// Sends raw bytes on a new connection to 127.0.0.1:port and returns everything the server
// answers until it closes the connection (or until timeout_ms of silence).
inline std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000,
                                bool half_close = false) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string out;
  timeval tv{timeout_ms / 1000, static_cast<suseconds_t>(timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

// The status code of a raw HTTP response ("HTTP/1.1 411 Length Required" -> 411), 0 if none.
inline int raw_status(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

}  // namespace w2v::testing
