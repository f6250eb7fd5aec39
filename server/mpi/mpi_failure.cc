#include "server/mpi/mpi_failure.h"

#include <string.h>
#include <sys/wait.h>

#include <regex>

namespace w2v::server {
namespace {

constexpr std::size_t kMaxOutputInError = 600;

std::string signal_text(int sig) {
  std::string s = "signal " + std::to_string(sig);
  if (const char* name = ::sigdescr_np(sig)) s += " (" + std::string(name) + ")";
  return s;
}

// The last lines of the launcher's standard error, without Open MPI's separator lines, cut
// from the front to kMaxOutputInError bytes.
std::string output_excerpt(const std::string& tail) {
  std::string kept;
  std::size_t start = 0;
  while (start < tail.size()) {
    std::size_t end = tail.find('\n', start);
    if (end == std::string::npos) end = tail.size();
    const std::string line = tail.substr(start, end - start);
    if (line.find_first_not_of('-') != std::string::npos) {
      if (!kept.empty()) kept += " | ";
      kept += line;
    }
    start = end + 1;
  }
  if (kept.size() > kMaxOutputInError) {
    std::size_t cut = kept.size() - kMaxOutputInError;
    while (cut < kept.size() && (static_cast<unsigned char>(kept[cut]) & 0xc0) == 0x80) ++cut;
    kept = "..." + kept.substr(cut);
  }
  return kept;
}

std::string with_output(std::string what, const std::string& tail) {
  const std::string excerpt = output_excerpt(tail);
  if (!excerpt.empty()) what += "; its last output: " + excerpt;
  return what;
}

}  // namespace

std::string describe_mpi_failure(const MpiJobEnd& end) {
  std::smatch m;
  static const std::regex died(
      "process rank ([0-9]{1,9}) with PID [0-9]+ on node (\\S{1,200}) exited on signal "
      "([0-9]{1,3})");
  if (std::regex_search(end.stderr_tail, m, died)) {
    return "rank " + m[1].str() + " on " + m[2].str() + " exited with " +
           signal_text(std::stoi(m[3].str()));
  }
  if (end.rank0_error) return *end.rank0_error;
  static const std::regex exited(
      "Process name: *\\[\\[[0-9]+,[0-9]+\\],([0-9]{1,9})\\]\\s*Exit code: *([0-9]{1,3})");
  if (std::regex_search(end.stderr_tail, m, exited)) {
    return with_output("rank " + m[1].str() + " exited with status " + m[2].str(), end.stderr_tail);
  }
  const int s = end.wait_status;
  std::string what = "the MPI launcher " + end.launcher;
  if (WIFSIGNALED(s)) {
    what += " was killed by " + signal_text(WTERMSIG(s));
  } else if (WIFEXITED(s) && WEXITSTATUS(s) != 0) {
    what += " exited with status " + std::to_string(WEXITSTATUS(s));
  } else {
    what += " exited before rank 0 finished the job";
  }
  return with_output(std::move(what), end.stderr_tail);
}

}  // namespace w2v::server
