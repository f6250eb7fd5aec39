#pragma once
// What every w2vctl command shares: the global options, the API client (made once the command
// line is parsed), and the ways to print results.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "client/api_client.h"
#include "proto/json_text.h"

namespace w2v::ctl {

// A command line that parses but asks for something impossible (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Context {
  // Global options.
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  bool json = false;
  bool quiet = false;
  int timeout = 60;  // seconds per network operation; 0: none

  client::W2vdClient& api() {
    if (!api_) {
      api_ = std::make_unique<client::W2vdClient>(
          client::ClientOptions{server, token, std::chrono::seconds(timeout)});
    }
    return *api_;
  }

  // The API's JSON on standard output, pretty-printed.
  void print_json(const nlohmann::json& j) const {
    std::fputs((proto::dump(j, 2) + "\n").c_str(), stdout);
  }

  // A message for people on standard output (not with --json or --quiet).
  void say(const std::string& text) const {
    if (json || quiet) return;
    std::fputs(text.c_str(), stdout);
  }

  // Progress displays go to standard error: drawn live when it is a terminal.
  bool stderr_tty() const;

 private:
  std::unique_ptr<client::W2vdClient> api_;
};

// The command chosen on the command line, set by its subcommand's callback; returns the exit
// code.
using Action = std::function<int()>;

// Registration of each command group (commands_*.cc).
void add_corpus_commands(CLI::App& app, Context& ctx, Action& action);
void add_job_commands(CLI::App& app, Context& ctx, Action& action);  // train, jobs
void add_model_commands(CLI::App& app, Context& ctx, Action& action);
void add_query_commands(CLI::App& app, Context& ctx, Action& action);  // similar, ...

// Follows a job's event stream with a progress display until it ends (train --wait, jobs
// watch); prints the outcome. Ctrl-C stops following (the job keeps running) or, with
// cancel_on_interrupt, cancels the job. Returns the exit code.
int follow_job(Context& ctx, const std::string& id, bool cancel_on_interrupt);

// Shared renderings.
void print_job_details(const proto::JobRecord& job);
// lineage: the models it was continued from, nearest first (models show fetches them).
void print_model_details(const proto::ModelRecord& model,
                         const std::vector<std::string>& lineage = {});
std::string params_summary(const TrainParams& p);  // "skipgram/ns dim 100, window 5, ..."
// One line per evaluation score ("analogies questions-words.txt: accuracy 63.2% ..."), empty
// when there is none.
std::vector<std::string> evaluation_lines(const nlohmann::json& evaluation);

// "Examples:" footer text from lines of "command  # what".
std::string examples(std::initializer_list<const char*> lines);

// An option's check: one of the names of an enum's table (core/base/enum_names.h).
template <class E, std::size_t N>
CLI::IsMember one_of(const EnumName<E> (&table)[N]) {
  const auto names = names_of(table);
  return CLI::IsMember(std::vector<std::string>(names.begin(), names.end()));
}

}  // namespace w2v::ctl
