// DELETE /v1/models/{id} racing a stream of queries, with a cache too small for two models so
// the model is evicted and reloaded all along: once the DELETE has returned, no query answers
// from the deleted model, and no query ever answers 500.

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "e2e/support.h"

namespace w2v::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct Answer {
  Clock::time_point sent;
  int status;
  std::string body;
};

TEST(ModelDeleteRace, NoQueryAnswersFromADeletedModelAndNoneAnswers500) {
  // Room for about one model: queries of the two evict each other, so the victim is loaded
  // again and again while the DELETE runs.
  Daemon d({"--model-cache-bytes", "600000", "--blocking-threads", "2"});
  const client::ClientOptions options{d.server.url(), "", std::chrono::seconds(120)};
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto victim = d.api.import_model(
        write_random_model(d.dir.path() + "/victim.bin", 2000, 32, 10 + round), "victim");
    const auto other = d.api.import_model(
        write_random_model(d.dir.path() + "/other.bin", 2000, 32, 20 + round), "other");

    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::mutex mutex;
    std::vector<Answer> answers;
    std::vector<std::thread> clients;
    clients.reserve(4);
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        client::HttpClient http(options);
        for (int i = 0; !stop && i < 2000; ++i) {
          const bool on_victim = (i + t) % 2 == 0;
          const std::string id = on_victim ? victim.id : other.id;
          const std::string target = (i % 3 == 2) ? "/v1/models/" + id + "/vectors?format=text"
                                                  : "/v1/models/" + id + "/similar?word=w" +
                                                        std::to_string(i % 50) + "&k=3";
          const auto sent = Clock::now();
          const auto r = http.request("GET", target);
          ++answered;
          if (on_victim) {
            std::lock_guard lock(mutex);
            answers.push_back({sent, r.status, r.status == 200 ? "" : r.body});
          } else if (r.status != 200) {
            std::lock_guard lock(mutex);
            answers.push_back({sent, r.status == 404 ? 599 : r.status, r.body});  // never 404
          }
        }
      });
    }
    // Let the stream run, then delete while it goes on.
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (answered < 40 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    d.api.delete_model(victim.id);
    const auto deleted = Clock::now();
    const int at_delete = answered;
    while (answered < at_delete + 80 && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    stop = true;
    for (auto& c : clients) c.join();

    int after = 0;
    for (const auto& a : answers) {
      EXPECT_NE(a.status, 500) << a.body;
      EXPECT_NE(a.status, 599) << "the other model answered 404: " << a.body;
      EXPECT_TRUE(a.status == 200 || a.status == 404) << a.status << " " << a.body;
      if (a.sent > deleted) {
        ++after;
        EXPECT_EQ(a.status, 404) << "a query sent after the DELETE returned answered " << a.status;
      }
    }
    EXPECT_GT(after, 0);
    d.api.delete_model(other.id);
  }
  // The cache did evict and reload all along (the race the test is about).
  EXPECT_NE(d.server.log().find("evicted from the cache"), std::string::npos);
}

}  // namespace
}  // namespace w2v::testing
