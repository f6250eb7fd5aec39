#pragma once
// Server-Sent Events framing (the WHATWG HTML "event stream" interpretation), independent of
// any I/O: feed() the bytes of a text/event-stream as they arrive, in pieces cut anywhere, and
// take the complete events with next().
//
//   - lines end with LF, CRLF or a lone CR (a CRLF split across two feeds is one line end);
//   - "event: NAME" sets the event's name ("message" when none is given);
//   - "data: TEXT" lines are joined with "\n"; one space after the colon is dropped;
//   - "id: X" sets the last event id; "retry:" and unknown fields are ignored;
//   - lines starting with ':' are comments;
//   - a blank line dispatches the event; an event with no data line is not dispatched;
//   - a UTF-8 byte order mark at the very start is skipped;
//   - bytes after the last blank line are an incomplete event, never dispatched (finish()
//     tells whether such a remainder exists).

#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace w2v::client {

struct SseEvent {
  std::string event = "message";
  std::string data;
  std::string id;  // the last event id seen on the stream so far ("" if none)
};

class SseParser {
 public:
  // A line or an event's data longer than this is an error (a runaway stream, not SSE).
  static constexpr std::size_t kDefaultMaxEventBytes = 64u << 20;

  explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Parses bytes; complete events are queued for next(). Throws std::length_error when a
  // line or an event's data exceeds the limit.
  void feed(std::string_view bytes);

  // The next complete event, in stream order; nullopt when none is queued.
  std::optional<SseEvent> next();

  // True when bytes of an unfinished event (or line) are pending: the stream ended mid-event.
  bool has_partial_event() const noexcept;

  const std::string& last_event_id() const noexcept { return last_id_; }

 private:
  void line_end();
  void process_line(std::string_view line);
  void dispatch();

  std::size_t max_event_bytes_;
  std::deque<SseEvent> ready_;
  std::string line_;
  std::string event_;        // the pending event's name ("" : "message")
  std::string data_;         // the pending event's data, each line followed by '\n'
  bool has_fields_ = false;  // a non-comment line of the pending event was seen
  std::string last_id_;
  bool skip_lf_ = false;  // the previous byte was a CR: a following LF belongs to it
  bool started_ = false;  // past the point where a byte order mark may appear
};

}  // namespace w2v::client
