#include "server/mpi/bounded_lines.h"

#include <algorithm>

namespace w2v::server {

void LineSplitter::feed(std::string_view bytes, const OnLine& on_line) {
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    const std::string_view part = bytes.substr(0, nl);
    if (!skipping_) {
      const std::size_t room = max_bytes_ - line_.size();
      line_.append(part.substr(0, room));
      if (part.size() > room) skipping_ = true;
    }
    if (nl == std::string_view::npos) return;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    on_line(line_);
    line_.clear();
    skipping_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::finish(const OnLine& on_line) {
  if (!line_.empty()) on_line(line_);
  line_.clear();
  skipping_ = false;
}

std::string printable_line(std::string_view line, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(line.size(), max_bytes));
  for (const char c : line) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  out.erase(0, first);
  out.erase(out.find_last_not_of(' ') + 1);
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    // Back up over UTF-8 continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

void LineTail::add(std::string_view line) {
  std::string kept = printable_line(line, max_line_bytes_);
  if (kept.empty()) return;
  lines_.push_back(std::move(kept));
  while (lines_.size() > max_lines_) lines_.pop_front();
}

std::string LineTail::text() const {
  std::string out;
  for (const auto& l : lines_) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace w2v::server
