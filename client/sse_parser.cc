#include "client/sse_parser.h"

namespace w2v::client {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

void SseParser::feed(std::string_view bytes) {
  std::size_t i = 0;
  // A byte order mark is only skipped at the start of the stream; its bytes may arrive in
  // separate feeds, so they are collected in line_ until they match or stop matching.
  while (!started_ && i < bytes.size()) {
    if (line_.size() < kBom.size() && bytes[i] == kBom[line_.size()]) {
      line_ += bytes[i++];
      if (line_.size() == kBom.size()) {
        line_.clear();
        started_ = true;
      }
    } else {
      started_ = true;  // what was collected is the start of the first line
    }
  }
  while (i < bytes.size()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    const std::size_t end = bytes.find_first_of("\r\n", i);
    const std::size_t stop = end == std::string_view::npos ? bytes.size() : end;
    if (line_.size() + (stop - i) > max_event_bytes_) {
      throw std::length_error("event stream line longer than " + std::to_string(max_event_bytes_) +
                              " bytes");
    }
    line_.append(bytes.data() + i, stop - i);
    if (end == std::string_view::npos) break;
    skip_lf_ = bytes[end] == '\r';
    i = end + 1;
    line_end();
  }
}

std::optional<SseEvent> SseParser::next() {
  if (ready_.empty()) return std::nullopt;
  SseEvent e = std::move(ready_.front());
  ready_.pop_front();
  return e;
}

bool SseParser::has_partial_event() const noexcept {
  return !line_.empty() || has_fields_;
}

void SseParser::line_end() {
  std::string line = std::move(line_);
  line_.clear();
  process_line(line);
}

void SseParser::process_line(std::string_view line) {
  if (line.empty()) return dispatch();
  if (line.front() == ':') return;  // a comment (servers send them as keep-alives)
  has_fields_ = true;
  std::string_view field = line, value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    event_.assign(value);
  } else if (field == "data") {
    if (data_.size() + value.size() + 1 > max_event_bytes_) {
      throw std::length_error("event stream event data longer than " +
                              std::to_string(max_event_bytes_) + " bytes");
    }
    data_.append(value);
    data_ += '\n';
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // "retry" and unknown fields are ignored.
}

void SseParser::dispatch() {
  has_fields_ = false;
  if (data_.empty()) {  // no data line: nothing to dispatch
    event_.clear();
    return;
  }
  data_.pop_back();  // the '\n' after the last data line
  SseEvent e;
  if (!event_.empty()) e.event = std::move(event_);
  e.data = std::move(data_);
  e.id = last_id_;
  ready_.push_back(std::move(e));
  event_.clear();
  data_.clear();
}

}  // namespace w2v::client
