#pragma once
// w2vctl's exit codes (docs/cli.md, and the footer of `w2vctl --help`). Scripts rely on them:
// never renumber.

namespace w2v::ctl {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,         // anything else: a local file that cannot be read or written, ...
  kExitUsage = 2,         // bad command line (unknown flag, missing argument, bad --server)
  kExitUnauthorized = 3,  // 401/403: missing or wrong token
  kExitNotFound = 4,      // 404: unknown corpus, job, model or word
  kExitServer = 5,        // connection refused or broken, timeout, 5xx, 429, a malformed answer
  kExitJobFailed = 6,     // train --wait / jobs watch: the job failed or was cancelled
  kExitConflict = 7,      // 409: e.g. deleting a corpus a job uses
  kExitInvalid = 8,       // 400/411/413/415/422: invalid parameters or input
  kExitInterrupted = 130  // Ctrl-C while following a job (128 + SIGINT)
};

// The exit code for an API error's HTTP status.
inline int exit_code_for_status(int status) {
  switch (status) {
    case 400:
    case 411:
    case 413:
    case 415:
    case 422:
      return kExitInvalid;
    case 401:
    case 403:
      return kExitUnauthorized;
    case 404:
      return kExitNotFound;
    case 409:
      return kExitConflict;
    case 429:
      return kExitServer;
    default:
      return status >= 500 ? kExitServer : kExitError;
  }
}

inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0    success\n"
    "  1    other error (e.g. a local file that cannot be read or written)\n"
    "  2    usage error (unknown command or flag, missing argument, bad --server URL)\n"
    "  3    unauthorized: missing or wrong token (HTTP 401)\n"
    "  4    not found: unknown corpus, job, model or word (HTTP 404)\n"
    "  5    server or connection error: refused, timed out, HTTP 5xx\n"
    "  6    the job failed or was cancelled (train --wait, jobs watch)\n"
    "  7    conflict, e.g. deleting a corpus a job uses (HTTP 409)\n"
    "  8    invalid input: bad parameter, file too large or of the wrong type (HTTP 400/413/415)\n"
    "  130  interrupted (Ctrl-C while following a job; the job keeps running)\n";

}  // namespace w2v::ctl
