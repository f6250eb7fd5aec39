#pragma once
// What w2vctl shows people: human-readable numbers, aligned tables, key-value blocks, and the
// live progress displays (uploads, training jobs) drawn on standard error.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "proto/records.h"

namespace w2v::ctl {

// ---- numbers ----

std::string human_bytes(std::uint64_t bytes);  // "0 B", "912 B", "12.3 MB", "1.05 GB"
std::string human_count(double n);             // "912", "12.3k", "1.2M", "3.40G"
std::string grouped(std::uint64_t n);          // "1,234,567"
std::string human_duration(double seconds);    // "42s", "3m05s", "1h02m", "-" when unknown
std::string clock_duration(double seconds);    // "0:42", "3:05", "1:02:07", "--:--" unknown
std::string percent(double fraction, int decimals = 1);  // "48.3%"
std::string fixed(double x, int decimals);               // "0.8123"

// Seconds between two RFC 3339 UTC timestamps ("2026-11-21T14:20:00.123Z"); nullopt when one
// does not parse.
std::optional<double> seconds_between(const std::string& from, const std::string& to);

// ---- terminals ----

bool is_tty(std::FILE* f);
int terminal_width(std::FILE* f);  // columns; 80 when unknown

// ---- tables ----

// Aligned columns, two spaces apart; a header row in capitals. Columns marked numeric are
// right-aligned. Widths count UTF-8 code points, so non-ASCII words stay aligned.
class Table {
 public:
  struct Column {
    std::string header;
    bool numeric = false;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void print(std::FILE* out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "key:   value" lines with the values aligned.
class Details {
 public:
  void add(std::string key, std::string value) {
    rows_.emplace_back(std::move(key), std::move(value));
  }
  void print(std::FILE* out) const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

std::size_t display_width(const std::string& s);  // UTF-8 code points
// s padded with spaces to width code points, on the right or on the left.
std::string pad_right(const std::string& s, std::size_t width);
std::string pad_left(const std::string& s, std::size_t width);

// ---- progress ----

// Transfers of at least this many bytes get a progress bar (on a terminal).
inline constexpr std::uint64_t kProgressMinBytes = 8u << 20;

// A byte-transfer progress display on standard error: a bar with percent, bytes, bytes/s and
// ETA when the total is known, bytes and bytes/s otherwise. Redrawn in place (at most ten times a
// second) when standard error is a terminal; silent otherwise (transfers are short enough that
// their result line says all).
class TransferProgress {
 public:
  TransferProgress(std::string label, bool enabled);
  ~TransferProgress();
  // done: bytes so far; total: 0 when unknown.
  void update(std::uint64_t done, std::uint64_t total);
  void finish();  // erases the bar

 private:
  void draw(bool force);
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// A training job's progress, on standard error: on a terminal a live bar (percent, epoch,
// words/s, loss, ETA) redrawn on every event; otherwise a plain line every few seconds, at each
// new epoch and at status changes.
class JobProgressView {
 public:
  // tty: draw the live bar; quiet: show nothing.
  JobProgressView(bool tty, bool quiet);
  void update(const proto::JobRecord& job);
  // The final record: completes the bar (or prints the last line).
  void finish(const proto::JobRecord& job);
  // Erases the bar so a message can be printed on a clean line.
  void clear();

  // The line body shown for a record (without bar), e.g.
  // "running  48.3%  epoch 3/5  1.23M words/s  loss 2.345  ETA 0:42".
  static std::string describe(const proto::JobRecord& job);

 private:
  void draw(const proto::JobRecord& job);
  bool tty_, quiet_;
  bool drawn_ = false;
  std::optional<proto::JobStatus> last_status_;
  int last_epoch_ = -1;
  std::chrono::steady_clock::time_point last_line_;
};

}  // namespace w2v::ctl
