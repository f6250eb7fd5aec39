// w2vctl: the command-line client of w2vd. Global options and error handling live here; the
// commands are in commands_*.cc.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"

namespace w2v::ctl {
namespace {

constexpr const char* kVersion = "w2vctl 0.1.0";

void print_error(const std::string& message) {
  std::fprintf(stderr, "w2vctl: %s\n", message.c_str());
}

void print_hint(const std::string& hint) {
  std::fprintf(stderr, "hint: %s\n", hint.c_str());
}

// Runs the chosen command and turns what it throws into a message and an exit code.
int run(const Action& action, Context& ctx) {
  try {
    return action();
  } catch (const proto::ApiError& e) {
    print_error(std::string(e.what()) + " (HTTP " + std::to_string(e.status()) + ", " + e.code() +
                ")");
    if (e.status() == 401) {
      print_hint(ctx.token.empty()
                     ? "this server requires a token: pass it with --token or W2VD_TOKEN"
                     : "the server refused the token given with --token or W2VD_TOKEN");
    }
    return exit_code_for_status(e.status());
  } catch (const client::ConnectionError& e) {
    print_error(e.what());
    const std::string what = e.what();
    if (what.rfind("cannot connect", 0) == 0) {
      print_hint("is w2vd running at " + ctx.server +
                 "? Point w2vctl at the server with --server URL or W2VD_URL.");
    }
    return kExitServer;
  } catch (const UsageError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::invalid_argument& e) {  // a bad --server URL
    print_error(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitError;
  }
}

void add_health_command(CLI::App& app, Context& ctx, Action& action) {
  CLI::App* cmd = app.add_subcommand("health", "Check that the server answers (GET /healthz)");
  cmd->footer(examples({
      "w2vctl health",
      "w2vctl --server http://gpu-box:8080 health",
  }));
  cmd->callback([&ctx, &action] {
    action = [&ctx] {
      const nlohmann::json j = ctx.api().health();
      if (ctx.json) {
        ctx.print_json(j);
      } else if (!ctx.quiet) {
        const std::string status = j.is_object() && j.contains("status") && j["status"].is_string()
                                       ? j["status"].get<std::string>()
                                       : proto::dump(j);
        const std::string isa = j.is_object() && j.contains("isa") && j["isa"].is_string()
                                    ? " (kernels: " + j["isa"].get<std::string>() + ")"
                                    : "";
        std::printf("w2vd at %s: %s%s\n", ctx.server.c_str(), status.c_str(), isa.c_str());
      }
      return kExitOk;
    };
  });
}

std::string top_examples(std::initializer_list<const char*> lines) {
  std::string out = "\nExamples:\n";
  for (const char* line : lines) out += std::string("  ") + line + "\n";
  return out;
}

}  // namespace

bool Context::stderr_tty() const {
  return is_tty(stderr);
}

std::string examples(std::initializer_list<const char*> lines) {
  std::string out = "\nExamples:\n";
  for (const char* line : lines) out += std::string("  ") + line + "\n";
  out +=
      "\nGlobal options (before or after the command): --server URL, --token TOKEN, --json, "
      "--timeout SECONDS, -q; see w2vctl --help.\n";
  return out;
}

int main(int argc, char** argv) {
  Context ctx;
  Action action;

  CLI::App app(
      "w2vctl: the command-line client of w2vd, the word2vec training daemon.\n"
      "Upload corpora, train word vectors, follow jobs, query and export models.",
      "w2vctl");
  app.set_help_all_flag("--help-all", "Show help for every command");
  app.set_version_flag("--version", kVersion);
  // Global options are accepted after the command too ("w2vctl corpus list --json").
  app.fallthrough();
  app.require_subcommand(1);

  if (const char* url = std::getenv("W2VD_URL"); url && *url) ctx.server = url;
  if (const char* token = std::getenv("W2VD_TOKEN")) {
    ctx.token = token;
  } else if (const char* file = std::getenv("W2VD_TOKEN_FILE"); file && *file) {
    // The token a w2vd made for itself (its data directory's token file; the image sets this).
    std::ifstream in(file);
    std::getline(in, ctx.token);
  }
  app.add_option("--server", ctx.server, "The server's URL (env W2VD_URL)")
      ->default_str("http://127.0.0.1:8080")
      ->type_name("URL");
  app.add_option("--token", ctx.token, "Bearer token of a server started with one (env W2VD_TOKEN)")
      ->type_name("TOKEN");
  app.add_flag("--json", ctx.json, "Machine-readable output: the API's JSON on standard output");
  app.add_option("--timeout", ctx.timeout,
                 "Seconds to wait for each network operation (0: forever)")
      ->default_val(60)
      ->check(CLI::NonNegativeNumber)
      ->type_name("SECONDS");
  app.add_flag("-q,--quiet", ctx.quiet,
               "No progress displays or messages; commands that create something print only "
               "its id");

  add_health_command(app, ctx, action);
  add_corpus_commands(app, ctx, action);
  add_job_commands(app, ctx, action);
  add_model_commands(app, ctx, action);
  add_query_commands(app, ctx, action);

  app.footer(top_examples({
                 "w2vctl corpus upload corpus.txt --name news",
                 "w2vctl train --corpus c_1a2b3c --dim 100 --epochs 5 --wait",
                 "w2vctl similar m_4d5e6f king -k 5",
                 "w2vctl models export m_4d5e6f -o vectors.bin",
             }) +
             "\nEnvironment: W2VD_URL (--server), W2VD_TOKEN (--token), W2VD_TOKEN_FILE (a file\n"
             "holding the token, e.g. the one w2vd keeps in its data directory).\n"
             "Run 'w2vctl COMMAND --help' for a command's options.\n\n" +
             kExitCodesHelp);

  if (argc == 1) {
    std::cout << app.help();
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!action) {
    std::cout << app.help();
    return kExitUsage;
  }
  return run(action, ctx);
}

}  // namespace w2v::ctl

int main(int argc, char** argv) {
  return w2v::ctl::main(argc, argv);
}
