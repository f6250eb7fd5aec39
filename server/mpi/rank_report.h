#pragma once
// What rank 0 of a distributed job (`w2vd mpi-job`, server/commands/mpi_job_command.h) tells the
// daemon that started it, one line each on its standard output (which the MPI launcher forwards):
//
//   @w2vd resumed <epochs already done>
//   @w2vd progress <epoch> <epochs> <words_done> <words_total> <words/s> <loss> <alpha>
//                  <elapsed s> <eta s>
//   @w2vd epoch <epochs done>        the checkpoint of that epoch is written
//   @w2vd done                       the finished model is staged in the job's directory
//   @w2vd error <message>            why rank 0 gives up
//
// The daemon reads them as untrusted input (parse_rank_report): a line that is not exactly a
// report, or whose numbers are out of range for the job, is ignored; an error message is cut
// to kMaxRankErrorBytes of printable characters.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/train/trainer.h"

namespace w2v::server {

inline constexpr std::string_view kRankReportMarker = "@w2vd ";
inline constexpr std::size_t kMaxRankReportLine = 1024;  // longer lines are cut (LineSplitter)
inline constexpr std::size_t kMaxRankErrorBytes = 500;

struct RankReport {
  enum class Kind { kResumed, kProgress, kEpochEnd, kDone, kError };
  Kind kind = Kind::kProgress;
  int epochs_done = 0;     // kResumed, kEpochEnd
  TrainProgress progress;  // kProgress
  std::string message;     // kError
};

// The line for a report, with its newline.
std::string format_rank_report(const RankReport& report);

// The report a line holds for a job of `epochs` epochs, or nullopt when it holds none (any
// other output of the launcher or the ranks) or one that does not fit the job.
std::optional<RankReport> parse_rank_report(std::string_view line, int epochs);

}  // namespace w2v::server
