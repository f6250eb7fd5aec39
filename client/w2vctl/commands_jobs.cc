// train; jobs list | show | cancel | watch (following a job: follow_job.cc).

#include <array>
#include <cctype>
#include <cmath>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"
#include "core/train/param_table.h"

namespace w2v::ctl {
namespace {

using proto::JobStatus;

std::string general(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string optional_or(const std::optional<std::string>& s, const std::string& fallback) {
  return s ? *s : fallback;
}

std::string progress_cell(const proto::JobRecord& j) {
  switch (j.status) {
    case JobStatus::kQueued:
      return "-";
    case JobStatus::kRunning:
      if (j.progress.words_total == 0) return "preparing";
      [[fallthrough]];
    default:
      return percent(j.progress.fraction, 0) + " (" + std::to_string(j.progress.epoch) + "/" +
             std::to_string(j.progress.epochs) + ")";
  }
}

// ---- train ----

struct TrainOptions {
  std::string corpus;
  std::string name;
  std::string from_model, vocabulary;  // continued training
  int ranks = 1;                       // MPI ranks (a server with --mpi-launcher)
  bool wait = false;
  bool cancel_on_interrupt = false;
  // Each parameter of the table as given on the command line (checked for its kind); those
  // not given are left to the server.
  std::array<std::string, kParamCount> params;
  std::array<CLI::Option*, kParamCount> given{};
};

// The parameters given, typed; the server checks their ranges.
ParamSettings train_params(const TrainOptions& o) {
  ParamSettings settings;
  for (const ParamSpec& s : kParams) {
    if (o.given[index_of(s)]->count() == 0) continue;
    if (auto v = param_from_text(s, o.params[index_of(s)])) settings.set(s, *v);
  }
  return settings;
}

int train(Context& ctx, const TrainOptions& o) {
  proto::CreateJobRequest request;
  request.corpus_id = o.corpus;
  request.name = o.name;
  request.params = train_params(o);
  if (!o.from_model.empty()) request.init_model = o.from_model;
  if (!o.vocabulary.empty()) {
    request.vocabulary =
        value_of(kVocabularyModeNames, o.vocabulary).value_or(VocabularyMode::kExtend);
  }
  request.ranks = o.ranks;
  const auto job = ctx.api().submit_job(request);
  if (o.wait) {
    if (!ctx.quiet) {
      std::fprintf(stderr, "submitted job %s: %s\n", job.id.c_str(),
                   params_summary(job.params).c_str());
    }
    return follow_job(ctx, job.id, o.cancel_on_interrupt);
  }
  if (ctx.json) {
    ctx.print_json(proto::to_json(job));
  } else if (ctx.quiet) {
    std::printf("%s\n", job.id.c_str());
  } else {
    std::printf("submitted job %s (%s) on corpus %s: %s\n", job.id.c_str(),
                std::string(proto::to_string(job.status)).c_str(), job.corpus_id.c_str(),
                params_summary(job.params).c_str());
    std::printf("follow it with: w2vctl jobs watch %s\n", job.id.c_str());
  }
  return kExitOk;
}

// ---- jobs ----

int list_jobs(Context& ctx) {
  const auto jobs = ctx.api().jobs();
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& j : jobs) list.push_back(proto::to_json(j));
    ctx.print_json({{"jobs", list}});
    return kExitOk;
  }
  if (ctx.quiet) {
    for (const auto& j : jobs) std::printf("%s\n", j.id.c_str());
    return kExitOk;
  }
  if (jobs.empty()) {
    std::fprintf(stderr, "no jobs yet; start one with: w2vctl train --corpus ID\n");
    return kExitOk;
  }
  Table t({{"ID"}, {"STATUS"}, {"CORPUS"}, {"PROGRESS", true}, {"MODEL"}, {"CREATED"}});
  for (const auto& j : jobs) {
    t.add({j.id, std::string(proto::to_string(j.status)), j.corpus_id, progress_cell(j),
           j.model_id.value_or("-"), j.created_at});
  }
  t.print(stdout);
  return kExitOk;
}

int show_job(Context& ctx, const std::string& id) {
  const auto j = ctx.api().job(id);
  if (ctx.json) {
    ctx.print_json(proto::to_json(j));
  } else {
    print_job_details(j);
  }
  return kExitOk;
}

int cancel(Context& ctx, const std::string& id) {
  const auto j = ctx.api().cancel_job(id);
  if (ctx.json) {
    ctx.print_json(proto::to_json(j));
  } else {
    // A queued job is cancelled at once; a running one stops within a second.
    ctx.say(j.status == JobStatus::kCancelled
                ? "cancelled job " + j.id + "\n"
                : "cancelling job " + j.id + " (" + std::string(proto::to_string(j.status)) +
                      "; it stops within a second)\n");
  }
  return kExitOk;
}

// A flag per parameter of the table, its default in the help; a value not of the parameter's
// kind is a usage error (exit 2), ranges are the server's to check.
void add_train_flags(CLI::App* cmd, TrainOptions& o) {
  for (const ParamSpec& s : kParams) {
    const CLI::Validator kind(
        [&s](std::string& text) -> std::string {
          if (param_from_text(s, text)) return "";
          return "must be " + kind_text(s) + ", got " + text;
        },
        "", std::string(s.name));
    std::string help(s.help);
    help[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(help[0])));
    o.given[index_of(s)] =
        cmd->add_option(flag_name(s), o.params[index_of(s)],
                        help + " (default " + default_text(s) + ")")
            ->check(kind)
            ->group("Job parameters (the server's defaults for those not given)");
  }
}

}  // namespace

// ---- shared renderings ----

std::string params_summary(const TrainParams& p) {
  std::string s = std::string(to_string(p.model)) + "/" + std::string(to_string(p.loss)) + " dim " +
                  std::to_string(p.dim) + ", window " + std::to_string(p.window);
  if (p.loss == LossType::kNegativeSampling) s += ", negative " + std::to_string(p.negative);
  s += ", min_count " + std::to_string(p.min_count);
  if (p.max_vocab > 0) s += ", max_vocab " + std::to_string(p.max_vocab);
  s += ", " + std::to_string(p.epochs) + (p.epochs == 1 ? " epoch" : " epochs");
  return s;
}

std::vector<std::string> evaluation_lines(const nlohmann::json& evaluation) {
  std::vector<std::string> out;
  if (!evaluation.is_object()) return out;
  auto number = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
  };
  for (const auto& [kind, files] : evaluation.items()) {
    if (!files.is_object()) continue;
    for (const auto& [file, s] : files.items()) {
      if (!s.is_object()) continue;
      if (kind == "analogies") {
        out.push_back("analogies " + file + ": accuracy " + percent(number(s, "accuracy")) +
                      ", coverage " + percent(number(s, "coverage")));
      } else if (kind == "pairs") {
        out.push_back("pairs " + file + ": spearman " + fixed(number(s, "spearman"), 3) +
                      ", pearson " + fixed(number(s, "pearson"), 3));
      } else {
        out.push_back(kind + " " + file + ": " + proto::dump(s));
      }
    }
  }
  return out;
}

void print_job_details(const proto::JobRecord& j) {
  const auto& p = j.progress;
  Details d;
  d.add("id", j.id);
  d.add("status", std::string(proto::to_string(j.status)));
  d.add("corpus", j.corpus_id);
  if (!j.name.empty()) d.add("name", j.name);
  d.add("model", optional_or(j.model_id, "-"));
  if (j.init_model) {
    d.add("continues", *j.init_model + " (vocabulary " +
                           std::string(to_string(j.vocabulary.value_or(VocabularyMode::kExtend))) +
                           ")");
  }
  d.add("params", params_summary(j.params));
  if (j.ranks > 1) d.add("ranks", std::to_string(j.ranks) + " (MPI; threads per rank)");
  d.add("",
        "kernel " + std::string(to_string(j.params.kernel)) + ", sample " +
            general(j.params.sample) + ", alpha " + fixed(j.params.effective_alpha(), 4) +
            ", threads " +
            (j.params.threads == 0 ? std::string("server's") : std::to_string(j.params.threads)) +
            ", seed " + std::to_string(j.params.seed));
  if (j.status != JobStatus::kQueued) {
    d.add("progress", percent(p.fraction) + ", epoch " + std::to_string(p.epoch) + "/" +
                          std::to_string(p.epochs) + ", " +
                          human_count(static_cast<double>(p.words_done)) + " of " +
                          human_count(static_cast<double>(p.words_total)) + " words");
    if (p.words_per_sec > 0) {
      std::string speed = human_count(p.words_per_sec) + " words/s";
      if (std::isfinite(p.loss) && p.loss > 0) speed += ", loss " + fixed(p.loss, 4);
      speed += ", alpha " + fixed(p.alpha, 5);
      d.add("speed", speed);
    }
    if (j.status == JobStatus::kRunning) d.add("eta", clock_duration(p.eta_seconds));
  }
  d.add("created", j.created_at);
  d.add("started", optional_or(j.started_at, "-"));
  d.add("finished", optional_or(j.finished_at, "-"));
  if (j.attempts > 1) {
    d.add("attempts", std::to_string(j.attempts) +
                          (j.resumed_from_epoch ? " (resumed from epoch " +
                                                      std::to_string(*j.resumed_from_epoch) + ")"
                                                : ""));
  }
  if (j.error) d.add("error", *j.error);
  d.print(stdout);
}

void add_job_commands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto o = std::make_shared<TrainOptions>();
    CLI::App* cmd = app.add_subcommand(
        "train",
        "Start a training job on a corpus; with --wait follow it to the end (a live progress "
        "bar on a terminal) and print the model");
    cmd->add_option("--corpus", o->corpus, "The corpus's id (c_...)")->required();
    cmd->add_option("--name", o->name, "The model's name (default: the corpus's name)");
    cmd->add_option("--from-model", o->from_model,
                    "Continue training this model (m_...) on the corpus: the new model starts "
                    "from its vectors and keeps its model, loss and dim");
    cmd->add_option("--vocabulary", o->vocabulary,
                    "With --from-model: extend (default: add the corpus's words reaching "
                    "--min-count) or keep (train the model's words only)")
        ->check(one_of(kVocabularyModeNames));
    cmd->add_option("--ranks", o->ranks,
                    "Train on this many MPI ranks, --threads each (default 1: in the server's "
                    "process; more needs a server started with --mpi-launcher)")
        ->check(CLI::Range(1, 4096));
    cmd->add_flag("-w,--wait", o->wait,
                  "Follow the job until it ends; exit code 6 when it fails or is cancelled. "
                  "Ctrl-C stops following and leaves the job running");
    cmd->add_flag("--cancel-on-interrupt", o->cancel_on_interrupt,
                  "With --wait: Ctrl-C cancels the job instead of leaving it running");
    add_train_flags(cmd, *o);
    cmd->footer(examples({
        "w2vctl train --corpus c_1a2b3c --wait",
        "w2vctl train --corpus c_1a2b3c --model cbow --dim 300 --epochs 10 --min-count 10 --wait",
        "w2vctl train --corpus c_1a2b3c --threads 1 --seed 7   # reproducible, not waiting",
        "MODEL=$(w2vctl -q train --corpus c_1a2b3c --wait)",
        "w2vctl train --corpus c_new --from-model m_4d5e6f --epochs 3 --wait   # continue",
        "w2vctl train --corpus c_new --from-model m_4d5e6f --vocabulary keep --wait",
        "w2vctl train --corpus c_1a2b3c --ranks 4 --threads 8 --wait   # on 4 MPI ranks",
    }));
    cmd->callback([o, &ctx, &action] { action = [o, &ctx] { return train(ctx, *o); }; });
  }

  CLI::App* jobs = app.add_subcommand("jobs", "List, show, cancel and watch training jobs");
  jobs->require_subcommand(1);
  jobs->footer(examples({"w2vctl jobs list", "w2vctl jobs watch j_7g8h9i"}));
  {
    CLI::App* cmd = jobs->add_subcommand("list", "List the jobs");
    cmd->alias("ls");
    cmd->footer(examples({"w2vctl jobs list", "w2vctl jobs list --json"}));
    cmd->callback([&ctx, &action] { action = [&ctx] { return list_jobs(ctx); }; });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = jobs->add_subcommand("show", "Show a job: status, parameters, progress");
    cmd->add_option("ID", *id, "The job's id (j_...)")->required();
    cmd->footer(examples({"w2vctl jobs show j_7g8h9i"}));
    cmd->callback([id, &ctx, &action] { action = [id, &ctx] { return show_job(ctx, *id); }; });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = jobs->add_subcommand("cancel", "Cancel a queued or running job");
    cmd->add_option("ID", *id, "The job's id (j_...)")->required();
    cmd->footer(examples({"w2vctl jobs cancel j_7g8h9i"}));
    cmd->callback([id, &ctx, &action] { action = [id, &ctx] { return cancel(ctx, *id); }; });
  }
  {
    struct WatchOptions {
      std::string id;
      bool cancel_on_interrupt = false;
    };
    auto o = std::make_shared<WatchOptions>();
    CLI::App* cmd = jobs->add_subcommand(
        "watch",
        "Follow a job until it ends (a live progress bar on a terminal, a line every few seconds "
        "otherwise); exit code 6 when it fails or is cancelled");
    cmd->add_option("ID", o->id, "The job's id (j_...)")->required();
    cmd->add_flag("--cancel-on-interrupt", o->cancel_on_interrupt,
                  "Ctrl-C cancels the job (by default it keeps running)");
    cmd->footer(examples({"w2vctl jobs watch j_7g8h9i", "w2vctl jobs watch j_7g8h9i --json"}));
    cmd->callback([o, &ctx, &action] {
      action = [o, &ctx] { return follow_job(ctx, o->id, o->cancel_on_interrupt); };
    });
  }
}

}  // namespace w2v::ctl
