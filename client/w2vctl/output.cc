// The numbers, terminals and tables of output.h (the progress displays: progress.cc).

#include "client/w2vctl/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace w2v::ctl {

namespace {

std::string format(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

// Three significant digits with a unit: 1.23, 12.3, 123.
std::string three_digits(double x) {
  if (x < 10) return format("%.2f", x);
  if (x < 100) return format("%.1f", x);
  return format("%.0f", x);
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z".
std::optional<double> parse_rfc3339(const std::string& s) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf", &year, &month, &day, &hour, &minute, &second) !=
      6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = 0;
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<double>(t) + second;
}

}  // namespace

// ---- numbers ----

std::string human_bytes(std::uint64_t bytes) {
  static const char* const kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  if (bytes < 1000) return std::to_string(bytes) + " B";
  double x = static_cast<double>(bytes) / 1000;
  int unit = 0;
  while (x >= 999.5 && unit < 4) {
    x /= 1000;
    ++unit;
  }
  return three_digits(x) + " " + kUnits[unit];
}

std::string human_count(double n) {
  if (!std::isfinite(n) || n < 0) return "-";
  if (n < 1000) return format("%.0f", n);
  static const char* const kUnits[] = {"k", "M", "G", "T"};
  double x = n / 1000;
  int unit = 0;
  while (x >= 999.5 && unit < 3) {
    x /= 1000;
    ++unit;
  }
  return three_digits(x) + kUnits[unit];
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[64];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s / 60) % 60);
  }
  return buf;
}

std::string clock_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[64];
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  }
  return buf;
}

std::string percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, fraction * 100);
  return buf;
}

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::optional<double> seconds_between(const std::string& from, const std::string& to) {
  const auto a = parse_rfc3339(from), b = parse_rfc3339(to);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

// ---- terminals ----

bool is_tty(std::FILE* f) {
  return ::isatty(::fileno(f)) == 1;
}

int terminal_width(std::FILE* f) {
  winsize ws{};
  if (::ioctl(::fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

// ---- tables ----

std::string pad_right(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

void Table::print(std::FILE* out) const {
  std::vector<std::size_t> widths;
  for (const auto& c : columns_) widths.push_back(display_width(c.header));
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      const bool last = i + 1 == columns_.size();
      if (i > 0) text += "  ";
      if (columns_[i].numeric) {
        text += pad_left(cell, widths[i]);
      } else {
        text += last ? cell : pad_right(cell, widths[i]);
      }
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::fprintf(out, "%s\n", text.c_str());
  };
  std::vector<std::string> headers;
  for (const auto& c : columns_) headers.push_back(c.header);
  line(headers);
  for (const auto& row : rows_) line(row);
}

void Details::print(std::FILE* out) const {
  std::size_t width = 0;
  for (const auto& [key, value] : rows_) width = std::max(width, display_width(key) + 1);
  for (const auto& [key, value] : rows_) {
    // An empty key continues the previous value on a new line.
    const std::string label = key.empty() ? "" : key + ":";
    std::fprintf(out, "%s  %s\n", pad_right(label, width).c_str(), value.c_str());
  }
}

}  // namespace w2v::ctl
