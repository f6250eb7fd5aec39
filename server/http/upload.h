#pragma once
// Streaming request bodies (corpus uploads, model imports): the connection hands the body to an
// UploadHandler chunk by chunk as it arrives, so a body of any size needs no more memory than a
// chunk. Exactly one of on_complete() or on_abort() is called.

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
};

// Makes the handler for a request whose headers have arrived (req.body is empty). May throw
// proto::ApiError to refuse the request before its body is read (e.g. 415).
using UploadFactory = std::function<std::unique_ptr<UploadHandler>(const Request& req)>;

}  // namespace w2v::server
