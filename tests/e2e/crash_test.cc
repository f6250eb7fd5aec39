// Crash consistency: a mixed workload (uploads, training, imports, deletes, queries) runs against
// a real w2vd, which is killed with SIGKILL at a random moment and restarted. Then every
// acknowledged corpus and model is there (unless a delete of it was sent), every acknowledged
// job finishes (resumed when it was interrupted), and `w2vd check` finds nothing.
//
// W2V_CRASH_TRIALS sets the number of trials (default 3; bench/crash.sh runs many), and
// W2V_CRASH_SEED the random seed (default: random, printed).

#include <random>
#include <set>
#include <thread>

#include "e2e/fault_support.h"

namespace w2v::testing {
namespace {

using proto::JobStatus;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// What the server acknowledged, and what was asked to go away.
struct Ledger {
  std::mutex mutex;
  std::vector<std::string> corpora, models, jobs;
  std::set<std::string> delete_sent;
  std::vector<std::string> internal_errors;

  template <class F>
  void with(F&& f) {
    std::lock_guard lock(mutex);
    f();
  }
  std::string pick(std::vector<std::string>& from, std::mt19937_64& rng) {
    std::lock_guard lock(mutex);
    if (from.empty()) return "";
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  }
};

// One worker: random operations until the server goes away.
void workload(const std::string& url, const std::string& dir, std::uint64_t seed, Ledger& ledger,
              const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  client::W2vdClient api({url, "", std::chrono::seconds(30)});
  const std::string corpus_file = dir + "/planted.txt";
  const std::string vectors = dir + "/v.txt";
  while (!stop) {
    const int op = std::uniform_int_distribution<int>(0, 9)(rng);
    try {
      if (op <= 1) {
        const auto c = api.upload_corpus(corpus_file, "c", false, {});
        ledger.with([&] { ledger.corpora.push_back(c.id); });
      } else if (op <= 3) {
        const std::string c = ledger.pick(ledger.corpora, rng);
        if (c.empty()) continue;
        auto params = planted_job_params(std::uniform_int_distribution<int>(1, 3)(rng));
        params["dim"] = std::uniform_int_distribution<int>(8, 32)(rng);
        const auto j = submit_job(api, c, params, "");
        ledger.with([&] { ledger.jobs.push_back(j.id); });
      } else if (op == 4) {
        const auto m = api.import_model(vectors, "v", "text", {});
        ledger.with([&] { ledger.models.push_back(m.id); });
      } else if (op == 5) {
        const std::string c = ledger.pick(ledger.corpora, rng);
        if (c.empty()) continue;
        ledger.with([&] { ledger.delete_sent.insert(c); });
        api.delete_corpus(c);
      } else if (op == 6) {
        const std::string m = ledger.pick(ledger.models, rng);
        if (m.empty()) continue;
        ledger.with([&] { ledger.delete_sent.insert(m); });
        api.delete_model(m);
      } else if (op == 7) {
        const std::string m = ledger.pick(ledger.models, rng);
        if (!m.empty()) api.similar(m, {"alpha"}, {}, 2);
      } else {
        api.corpora();
        api.models();
        for (const auto& j : api.jobs()) {
          if (j.status == JobStatus::kSucceeded && j.model_id) {
            ledger.with([&] { ledger.models.push_back(*j.model_id); });
          }
        }
      }
    } catch (const proto::ApiError& e) {
      // 404/409 are expected outcomes of concurrent deletes; a 5xx is a bug (but the
      // connection breaking mid-response when the server dies is not a status at all).
      if (e.status() >= 500 && !stop) {
        ledger.with([&] { ledger.internal_errors.push_back(e.what()); });
      }
    } catch (const std::exception&) {
      if (stop) return;  // the server was killed
    }
  }
}

struct TrialResult {
  std::size_t corpora = 0, models = 0, jobs = 0, interrupted = 0;
};

TrialResult run_trial(int trial, std::uint64_t seed) {
  TrialResult result;
  TempDir dir("crash");
  // A slice of the planted corpus: uploads and jobs of a fraction of a second each.
  const std::string& text = planted().text;
  write_file(dir.path() + "/planted.txt", text.substr(0, text.find('\n', 300000) + 1));
  write_file(dir.path() + "/v.txt", "3 2\nalpha 1 0\nbeta 0 1\ngamma 1 1\n");
  ServerProcess server(W2VD_BINARY, dir.path() + "/data", {"--max-running-jobs", "2"});
  std::mt19937_64 rng(seed);
  Ledger ledger;
  {
    // Something to train and delete from the first moment.
    client::W2vdClient api({server.url(), "", std::chrono::seconds(60)});
    const auto c = api.upload_corpus(dir.path() + "/planted.txt", "first", false, {});
    ledger.corpora.push_back(c.id);
    ledger.jobs.push_back(submit_job(api, c.id, planted_job_params(3), "").id);
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back(workload, server.url(), dir.path(), seed + 1 + w, std::ref(ledger),
                         std::cref(stop));
  }
  // The random moment: somewhere in the first 3 seconds of the workload.
  const auto kill_after =
      std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 3000)(rng));
  std::this_thread::sleep_for(kill_after);
  stop = true;
  EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
  for (auto& t : workers) t.join();
  EXPECT_TRUE(ledger.internal_errors.empty())
      << "trial " << trial << ": " << ledger.internal_errors.front();

  server.restart();
  client::W2vdClient api({server.url(), "", std::chrono::seconds(120)});
  std::set<std::string> corpora, models;
  for (const auto& c : api.corpora()) corpora.insert(c.id);
  for (const auto& m : api.models()) models.insert(m.id);
  for (const auto& c : ledger.corpora) {
    if (ledger.delete_sent.count(c) == 0) {
      EXPECT_EQ(corpora.count(c), 1u) << "trial " << trial << ": acknowledged corpus " << c;
    }
  }
  for (const auto& m : ledger.models) {
    if (ledger.delete_sent.count(m) == 0) {
      EXPECT_EQ(models.count(m), 1u) << "trial " << trial << ": acknowledged model " << m;
    }
  }
  for (const auto& j : ledger.jobs) {
    const auto before = api.job(j);
    result.interrupted += before.attempts > 1 || before.status == JobStatus::kRunning;
    const auto done = api.watch_job(j, [](const proto::JobRecord&) { return true; });
    EXPECT_EQ(done.status, JobStatus::kSucceeded)
        << "trial " << trial << ": job " << j << ": " << done.error.value_or("");
  }
  result.corpora = ledger.corpora.size();
  result.models = ledger.models.size();
  result.jobs = ledger.jobs.size();
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  const auto check = run_check(dir.path() + "/data");
  EXPECT_EQ(check.exit_code, 0) << "trial " << trial << ":\n" << check.output;
  std::printf(
      "trial %d (seed %llu): killed after %lld ms; %zu corpora, %zu models, %zu jobs (%zu "
      "interrupted) acknowledged and verified; w2vd check: %s",
      trial, static_cast<unsigned long long>(seed), static_cast<long long>(kill_after.count()),
      result.corpora, result.models, result.jobs, result.interrupted,
      check.output.empty() ? "no output\n" : check.output.c_str());
  std::fflush(stdout);
  return result;
}

TEST(Crash, MixedWorkloadSurvivesSigkillAtARandomMoment) {
  const int trials = std::max(1, env_int("W2V_CRASH_TRIALS", 3));
  const std::uint64_t seed = static_cast<std::uint64_t>(env_int("W2V_CRASH_SEED", 0)) != 0
                                 ? static_cast<std::uint64_t>(env_int("W2V_CRASH_SEED", 0))
                                 : std::random_device{}();
  std::printf("crash test: %d trials, seed %llu\n", trials, static_cast<unsigned long long>(seed));
  TrialResult total;
  for (int t = 1; t <= trials; ++t) {
    const TrialResult r = run_trial(t, seed + 1000 * static_cast<std::uint64_t>(t));
    total.corpora += r.corpora;
    total.models += r.models;
    total.jobs += r.jobs;
    total.interrupted += r.interrupted;
  }
  const bool clean = !::testing::Test::HasFailure();
  std::printf(
      "crash test: %d trials, %s; %zu corpora, %zu models, %zu jobs (%zu interrupted) "
      "acknowledged in all\n",
      trials, clean ? "zero inconsistencies, nothing acknowledged lost" : "FAILURES", total.corpora,
      total.models, total.jobs, total.interrupted);
}

}  // namespace
}  // namespace w2v::testing
