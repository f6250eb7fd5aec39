// The live progress displays of output.h: byte transfers and training jobs, redrawn in place
// on a terminal.

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "client/w2vctl/output.h"
#include "core/base/ascii.h"

namespace w2v::ctl {
namespace {

bool utf8_locale() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v && *v) {
      const std::string s = ascii_lower(v);
      return s.find("utf-8") != std::string::npos || s.find("utf8") != std::string::npos;
    }
  }
  return false;
}

// A bar of width cells filled to fraction: Unicode blocks (eighths) on a UTF-8 terminal,
// '#' otherwise.
std::string bar(double fraction, int width) {
  fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  static const bool unicode = utf8_locale();
  std::string out = unicode ? "▕" : "[";
  const int eighths = static_cast<int>(std::floor(fraction * width * 8));
  const int full = eighths / 8;
  int cells = 0;
  for (; cells < full; ++cells) out += unicode ? "█" : "#";
  if (cells < width) {
    static const char* const kPartial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    const int part = eighths % 8;
    if (unicode && part > 0) {
      out += kPartial[part];
      ++cells;
    } else if (!unicode && part >= 4) {
      out += ">";
      ++cells;
    }
  }
  for (; cells < width; ++cells) out += unicode ? " " : ".";
  out += unicode ? "▏" : "]";
  return out;
}

// The first width code points of s (a line longer than the terminal would wrap, and \r would
// then redraw only its last part).
std::string fit(const std::string& s, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && points++ == width) {
      return s.substr(0, i);
    }
  }
  return s;
}

// Writes a line in place on the terminal: back to column 0, the text (cut to the terminal's
// width), clear to the end.
void redraw(const std::string& line) {
  const auto width = static_cast<std::size_t>(std::max(terminal_width(stderr) - 1, 10));
  std::fprintf(stderr, "\r%s\x1b[K", fit(line, width).c_str());
  std::fflush(stderr);
}

}  // namespace

// ---- transfers ----

TransferProgress::TransferProgress(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

TransferProgress::~TransferProgress() {
  finish();
}

void TransferProgress::update(std::uint64_t done, std::uint64_t total) {
  done_ = done;
  total_ = total;
  draw(false);
}

void TransferProgress::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  // Nothing for the first half second: small transfers finish before a bar is worth seeing.
  if (!force && now - start_ < std::chrono::milliseconds(500)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  std::string right;
  if (total_ > 0) {
    const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
    right = pad_left(percent(fraction, 0), 4) + "  " + human_bytes(done_) + " / " +
            human_bytes(total_) + "  " + human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
    if (rate > 0 && done_ < total_) {
      right += "  ETA " + clock_duration(static_cast<double>(total_ - done_) / rate);
    }
    const int width = terminal_width(stderr) - 1;
    const int room = width - static_cast<int>(display_width(label_) + display_width(right)) - 5;
    const std::string b = room >= 10 ? bar(fraction, std::min(room, 40)) + " " : "";
    redraw(label_ + "  " + b + right);
  } else {
    right = human_bytes(done_) + "  " + human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
    redraw(label_ + "  " + right);
  }
  drawn_ = true;
}

void TransferProgress::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

// ---- jobs ----

JobProgressView::JobProgressView(bool tty, bool quiet) : tty_(tty), quiet_(quiet) {}

std::string JobProgressView::describe(const proto::JobRecord& job) {
  const auto& p = job.progress;
  switch (job.status) {
    case proto::JobStatus::kQueued:
      return "queued, waiting for a training slot";
    case proto::JobStatus::kRunning:
      if (p.words_total == 0) return "preparing: vocabulary and encoding";
      break;
    default:
      break;
  }
  std::string s = std::string(proto::to_string(job.status)) + "  " + percent(p.fraction) +
                  "  epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs);
  if (p.words_per_sec > 0) s += "  " + human_count(p.words_per_sec) + " words/s";
  if (std::isfinite(p.loss) && p.loss > 0) s += "  loss " + fixed(p.loss, 4);
  if (job.status == proto::JobStatus::kRunning) {
    s += "  ETA " + (p.words_per_sec > 0 ? clock_duration(p.eta_seconds) : "--:--");
  }
  return s;
}

void JobProgressView::draw(const proto::JobRecord& job) {
  const std::string text = describe(job);
  const bool with_bar = job.status != proto::JobStatus::kQueued && job.progress.words_total > 0;
  const int width = terminal_width(stderr) - 1;
  // Room for the bar's cells: the line less the bar's ends and a space. The numbers are counted
  // at their usual widest, so the bar keeps its length as they change. (The job's id is on the
  // line above: "submitted job ..." or "following job ...".)
  const std::size_t text_width = std::max<std::size_t>(display_width(text), 66);
  const int room = width - static_cast<int>(text_width) - 3;
  const auto space = text.find("  ");
  if (with_bar && room >= 10 && space != std::string::npos) {
    // The status word, the bar, the numbers.
    redraw(text.substr(0, space) + " " + bar(job.progress.fraction, std::min(room, 40)) +
           text.substr(space + 1));
  } else {
    redraw(text);
  }
  drawn_ = true;
}

void JobProgressView::update(const proto::JobRecord& job) {
  if (quiet_) return;
  if (tty_) {
    draw(job);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  const bool status_changed = !last_status_ || *last_status_ != job.status;
  const bool new_epoch = job.progress.words_total > 0 && job.progress.epoch != last_epoch_;
  if (status_changed || new_epoch || now - last_line_ >= std::chrono::seconds(5)) {
    std::fprintf(stderr, "%s  %s\n", job.id.c_str(), describe(job).c_str());
    std::fflush(stderr);
    last_line_ = now;
    last_status_ = job.status;
    if (job.progress.words_total > 0) last_epoch_ = job.progress.epoch;
  }
}

void JobProgressView::finish(const proto::JobRecord& job) {
  if (quiet_) return;
  if (tty_) {
    draw(job);
    std::fprintf(stderr, "\n");
    std::fflush(stderr);
    drawn_ = false;
    return;
  }
  std::fprintf(stderr, "%s  %s\n", job.id.c_str(), describe(job).c_str());
  std::fflush(stderr);
}

void JobProgressView::clear() {
  if (drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace w2v::ctl
