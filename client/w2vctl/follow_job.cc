// Following a job until it ends (train --wait, jobs watch): its progress on stderr, Ctrl-C,
// and the outcome.

#include <signal.h>

#include <csignal>

#include "client/w2vctl/context.h"
#include "client/w2vctl/exit_codes.h"
#include "client/w2vctl/output.h"

namespace w2v::ctl {
namespace {

using proto::JobStatus;

// Ctrl-C while following a job.
volatile std::sig_atomic_t g_interrupted = 0;

void on_sigint(int) {
  g_interrupted = 1;
}

// Catches SIGINT while alive; the first Ctrl-C sets the flag (and restores the default action,
// so a second one ends w2vctl at once).
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &sa, &previous_);
  }
  ~InterruptGuard() { ::sigaction(SIGINT, &previous_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool interrupted() const { return g_interrupted != 0; }

 private:
  struct sigaction previous_ {};
};

// The outcome of a followed job, printed; the exit code.
int report_outcome(Context& ctx, const proto::JobRecord& job) {
  if (ctx.json) ctx.print_json(proto::to_json(job));
  const auto took = job.started_at && job.finished_at
                        ? seconds_between(*job.started_at, *job.finished_at)
                        : std::nullopt;
  const std::string in = took ? " in " + human_duration(*took) : "";
  if (job.status != JobStatus::kSucceeded) {
    const std::string what = job.status == JobStatus::kCancelled ? "was cancelled" : "failed" + in;
    std::fprintf(stderr, "w2vctl: job %s %s%s\n", job.id.c_str(), what.c_str(),
                 job.error ? (": " + *job.error).c_str() : "");
    return kExitJobFailed;
  }
  if (ctx.json) return kExitOk;
  const std::string model_id = job.model_id.value_or("");
  if (ctx.quiet) {
    std::printf("%s\n", model_id.c_str());
    return kExitOk;
  }
  std::printf("job %s succeeded%s\n", job.id.c_str(), in.c_str());
  if (model_id.empty()) return kExitOk;
  const auto model = ctx.api().model(model_id);
  std::printf("model %s (%s): %s words x %d dims\n", model.id.c_str(), model.name.c_str(),
              grouped(model.vocab_size).c_str(), model.dim);
  const auto lines = evaluation_lines(model.evaluation);
  if (lines.empty()) {
    std::printf(
        "evaluation: none configured on the server; score it with: w2vctl evaluate %s "
        "--analogies FILE\n",
        model.id.c_str());
  } else {
    std::printf("evaluation:\n");
    for (const auto& line : lines) std::printf("  %s\n", line.c_str());
  }
  std::printf("next: w2vctl similar %s WORD\n", model.id.c_str());
  return kExitOk;
}

}  // namespace

int follow_job(Context& ctx, const std::string& id, bool cancel_on_interrupt) {
  JobProgressView view(ctx.stderr_tty(), ctx.quiet);
  if (!ctx.quiet && ctx.stderr_tty()) {
    std::fprintf(stderr, "following job %s (Ctrl-C %s)\n", id.c_str(),
                 cancel_on_interrupt ? "cancels it" : "stops following; the job keeps running");
  }
  proto::JobRecord last;
  {
    InterruptGuard guard;
    last = ctx.api().watch_job(id, [&](const proto::JobRecord& r) {
      if (guard.interrupted()) return false;
      if (!proto::is_terminal(r.status)) view.update(r);
      return true;
    });
    if (!proto::is_terminal(last.status) && guard.interrupted()) {
      view.clear();
      if (cancel_on_interrupt) {
        ctx.api().cancel_job(id);
        std::fprintf(stderr, "interrupted: cancelled job %s\n", id.c_str());
      } else {
        std::fprintf(stderr,
                     "interrupted: job %s is still running; follow it with: w2vctl jobs watch %s\n"
                     "(cancel it with: w2vctl jobs cancel %s)\n",
                     id.c_str(), id.c_str(), id.c_str());
      }
      return kExitInterrupted;
    }
  }
  view.finish(last);
  return report_outcome(ctx, last);
}

}  // namespace w2v::ctl
