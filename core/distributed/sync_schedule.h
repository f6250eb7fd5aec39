#pragma once
// Which rows a periodic sync round combines (the hot/cold schedule of pWord2Vec, Ji et
// al.): rows are in descending order of use (word ids are sorted by frequency), split into levels
// of doubling size — hot_rows, 2·hot_rows, 4·hot_rows, … — and level k is synchronised every 2^k
// rounds. The hottest rows travel every round, the rarest exponentially less often, and every
// row at least every 2^(levels−1) rounds; epoch ends synchronise everything. Levels are prefixes,
// so each round synchronises one leading range of rows [0, rows_in_round(r)).
//
// Rows synchronised per round, amortised: hot_rows × levels (each level contributes its size over
// its period), against rows for synchronising everything each round.

#include <cstddef>
#include <cstdint>

namespace w2v::distributed {

class SyncSchedule {
 public:
  // rows: the matrix's rows in order of use; hot_rows >= 1.
  SyncSchedule(std::size_t rows, std::size_t hot_rows);

  std::size_t rows() const noexcept { return rows_; }
  std::size_t levels() const noexcept { return levels_; }
  // Rows synchronised by round r (r >= 1): the leading levels 0..k where 2^k divides r.
  std::size_t rows_in_round(std::uint64_t round) const noexcept;
  // Mean rows per round over a full cycle of 2^(levels−1) rounds.
  double mean_rows_per_round() const noexcept;

 private:
  std::size_t level_end(std::size_t level) const noexcept;
  std::size_t rows_, hot_rows_, levels_;
};

}  // namespace w2v::distributed
