#pragma once
// Streaming request bodies (corpus uploads, model imports): the connection hands the body to an
// UploadHandler chunk by chunk as it arrives, so a body of any size needs no more memory than a
// chunk. Exactly one of on_complete() or on_abort() is called.

#include <exception>
#include <functional>
#include <memory>
#include <string_view>

#include "server/http/request.h"
#include "server/http/response.h"

namespace w2v::server {

class UploadHandler {
 public:
  virtual ~UploadHandler() = default;
  // The next bytes of the body as sent (still Content-Encoded). May throw proto::ApiError
  // (the connection then calls on_abort() and answers with the error).
  virtual void on_data(std::string_view chunk) = 0;
  // The whole body arrived. May throw proto::ApiError.
  virtual Response on_complete() = 0;
  // The body did not arrive whole (client gone, timeout, too large, an error): undo everything.
  virtual void on_abort() noexcept = 0;

  // The connection calls these, never the synchronous ones directly. An override may do the
  // work elsewhere (the blocking pool) and call done later, from any thread, exactly once; the
  // connection reads no more of the body, and keeps chunk's bytes valid, until then. done's
  // exception_ptr is null on success; a proto::ApiError in it becomes the error response.
  // done is taken by value on purpose: an override keeps it to call later (NOLINTs below).
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  virtual void on_data_async(std::string_view chunk, std::function<void(std::exception_ptr)> done) {
    std::exception_ptr error;
    try {
      on_data(chunk);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  }
  virtual void on_complete_async(Completion done) {  // NOLINT(performance-unnecessary-value-param)
    // The default: the synchronous on_complete; its exception reaches the connection as usual.
    done(on_complete());
  }
};

// Makes the handler for a request whose headers have arrived (req.body is empty). May throw
// proto::ApiError to refuse the request before its body is read (e.g. 415).
using UploadFactory = std::function<std::unique_ptr<UploadHandler>(const Request& req)>;

}  // namespace w2v::server
