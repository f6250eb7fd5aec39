// The kernels' instruction set end to end (core/base/isa.h): w2vd refuses a W2VD_ISA it cannot
// honour before doing anything, and a daemon forced to each set this CPU runs says so in its
// log and /healthz, trains a job and answers exact and approximate queries with it.

#include "core/base/isa.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "e2e/support.h"
#include "support/isa_params.h"
#include "support/shell_command.h"

namespace w2v::testing {
namespace {

// Runs `W2VD_ISA=value w2vd --version`; returns its exit status and output.
std::pair<int, std::string> version_with(const std::string& value) {
  const std::string command = "W2VD_ISA='" + value + "' " W2VD_BINARY " --version 2>&1";
  const CommandResult r = run_shell(command);
  return {r.exit_code, r.output};
}

TEST(Isa, AnUnknownOrUnrunnableChoiceStopsW2vdWithItsName) {
  const auto [code, out] = version_with("avx1024");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("W2VD_ISA: unknown instruction set 'avx1024'"), std::string::npos) << out;
  for (Isa isa : compiled_isas()) {
    const auto [c, o] = version_with(std::string(to_string(isa)));
    if (cpu_supports(isa)) {
      EXPECT_EQ(c, 0) << o;
      EXPECT_NE(o.find("kernels: " + std::string(to_string(isa)) + " "), std::string::npos) << o;
    } else {
      EXPECT_EQ(c, 2) << o;
      EXPECT_NE(o.find("this CPU cannot run"), std::string::npos) << o;
    }
  }
}

// Sets W2VD_ISA for the daemons started in its scope (they inherit the environment).
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() { ::unsetenv(name_); }

 private:
  const char* name_;
};

class IsaDaemon : public ::testing::TestWithParam<Isa> {};

TEST_P(IsaDaemon, SaysWhichKernelsItRunsTrainsAndAnswers) {
  const std::string isa(to_string(GetParam()));
  const ScopedEnvironment env("W2VD_ISA", isa);
  Daemon d;
  EXPECT_NE(d.server.log().find("kernels: " + isa + " "), std::string::npos) << d.server.log();
  EXPECT_EQ(d.api.health().at("isa"), isa);

  const auto corpus = d.api.upload_corpus(d.corpus_file(), "planted");
  const auto job = d.api.watch_job(submit_job(d.api, corpus.id, planted_job_params()).id);
  ASSERT_EQ(job.status, proto::JobStatus::kSucceeded) << job.error.value_or("") << d.server.log();
  const std::string model = *job.model_id;
  // A word's neighbours are of its topic, exactly and through the HNSW index.
  const auto& group = planted().topic_groups[0];
  const std::set<std::string> topic(group.begin(), group.end());
  d.api.similar(model, {group[0]}, {}, 5, false);  // asks for the index
  EXPECT_EQ(wait_for_index(d.api, model).state, proto::IndexState::kReady);
  for (bool exact : {true, false}) {
    std::string search;
    const auto neighbours = d.api.similar(model, {group[0]}, {}, 5, exact, &search);
    EXPECT_EQ(search, exact ? "exact" : "approximate");
    ASSERT_EQ(neighbours.size(), 5u);
    for (const auto& n : neighbours) {
      EXPECT_TRUE(topic.count(n.first))
          << isa << (exact ? " exact: " : " approximate: ") << n.first;
    }
  }
}

W2V_INSTANTIATE_FOR_EACH_ISA(IsaDaemon);

}  // namespace
}  // namespace w2v::testing
