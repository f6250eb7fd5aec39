#include "server/http/response_writer.h"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

namespace w2v::server::http_io {

// Every completion handler below holds a copy of done_ (keep): done holds the session, and the
// session holds this writer, so both outlive the operation.

void ResponseWriter::finish(error_code ec) {
  auto done = std::move(done_);  // the call may destroy this writer
  done(ec);
}

void ResponseWriter::write_string(http::response<http::string_body> res, Done done) {
  done_ = std::move(done);
  str_res_.emplace(std::move(res));
  io_.stream.expires_after(io_.write_timeout);
  http::async_write(io_.stream, *str_res_, [this, keep = done_](error_code ec, std::size_t n) {
    bytes_ += n;
    finish(ec);
  });
}

bool ResponseWriter::write_file(http::response<http::empty_body> head, const std::string& path,
                                std::shared_ptr<char[]> chunk_buf, Done done, std::string& error) {
  error_code ec;
  file_.emplace();
  file_->open(path.c_str(), beast::file_mode::scan, ec);
  const std::uint64_t size = ec ? 0 : file_->size(ec);
  if (ec) {
    file_.reset();
    error = ec.message();
    return false;
  }
  done_ = std::move(done);
  chunk_buf_ = std::move(chunk_buf);
  head_res_.emplace(std::move(head));
  head_res_->content_length(size);
  file_left_ = size;
  head_sr_.emplace(*head_res_);
  io_.stream.expires_after(io_.write_timeout);
  http::async_write_header(io_.stream, *head_sr_,
                           [this, keep = done_](error_code ec, std::size_t n) {
                             bytes_ += n;
                             if (ec) return finish(ec);
                             send_file_chunk();
                           });
  return true;
}

// Beast's file_body would write 4 KiB at a time under one deadline for the whole response,
// too short for a large model export on a slow link: each piece here has its own.
void ResponseWriter::send_file_chunk() {
  if (file_left_ == 0) return finish({});
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, kChunkBytes));
  error_code ec;
  const std::size_t got = file_->read(chunk_buf_.get(), want, ec);
  if (ec || got == 0) {
    // Shrunk or unreadable after the header went out: the promised length cannot be kept.
    io_.log_error("file response cut short", ec ? ec.message().c_str() : "the file shrank");
    return finish(ec ? ec : net::error::make_error_code(net::error::eof));
  }
  file_left_ -= got;
  io_.stream.expires_after(io_.write_timeout);
  net::async_write(io_.stream, net::buffer(chunk_buf_.get(), got),
                   [this, keep = done_](error_code ec, std::size_t n) {
                     bytes_ += n;
                     if (ec) return finish(ec);
                     send_file_chunk();
                   });
}

void ResponseWriter::write_events(http::response<http::empty_body> head,
                                  std::shared_ptr<EventSource> events, Done done) {
  done_ = std::move(done);
  events_ = std::move(events);
  head_res_.emplace(std::move(head));
  head_res_->set(http::field::cache_control, "no-cache");
  head_res_->set("X-Accel-Buffering", "no");
  head_sr_.emplace(*head_res_);
  io_.stream.expires_after(io_.write_timeout);
  http::async_write_header(io_.stream, *head_sr_,
                           [this, keep = done_](error_code ec, std::size_t n) {
                             bytes_ += n;
                             if (ec) return finish(ec);
                             poll_events();
                           });
}

void ResponseWriter::poll_events() {
  bool done = io_.stopping();
  std::string text;
  if (!done) {
    try {
      text = events_->next(done);
    } catch (const std::exception& e) {
      io_.log_error("event source failed", e.what());
      done = true;
    } catch (...) {
      io_.log_error("event source failed", "not a std::exception");
      done = true;
    }
  }
  if (text.empty()) return done ? finish({}) : schedule_poll();
  sse_chunk_ = std::move(text);
  io_.stream.expires_after(io_.write_timeout);
  net::async_write(io_.stream, net::buffer(sse_chunk_),
                   [this, done, keep = done_](error_code ec, std::size_t n) {
                     bytes_ += n;
                     if (ec || done) return finish(ec);
                     schedule_poll();
                   });
}

void ResponseWriter::schedule_poll() {
  std::chrono::milliseconds interval{500};
  try {
    interval = std::max(events_->interval(), std::chrono::milliseconds(1));
  } catch (...) {
  }
  io_.timer.expires_after(interval);
  io_.timer.async_wait([this, keep = done_](error_code ec) {
    if (ec) return finish(ec);
    poll_events();
  });
}

}  // namespace w2v::server::http_io
