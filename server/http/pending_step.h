#pragma once
// A step of a request computed elsewhere (Response::deferred, UploadHandler::on_data_async and
// on_complete_async) while its connection waits without reading. The completion may come from
// any thread: it takes the session out under mu (so only the first call counts) and posts the
// result to the session's strand. The step keeps the session alive meanwhile; when the server
// is destroyed first, the listener abandons the step (takes the session out) and a late
// completion is dropped.

#include <memory>
#include <mutex>

#include "server/http/upload.h"

namespace w2v::server::http_io {

class Session;

struct PendingStep {
  enum class Kind { kResponse, kUploadData, kUploadComplete };
  explicit PendingStep(Kind kind) : kind(kind) {}
  ~PendingStep() {
    // Never delivered (the completion was dropped, or the server went first): an unfinished
    // upload is undone here, as the session would have.
    if (kind == Kind::kUploadData && upload) upload->on_abort();
  }
  PendingStep(const PendingStep&) = delete;
  PendingStep& operator=(const PendingStep&) = delete;

  const Kind kind;
  std::mutex mu;
  std::shared_ptr<Session> session;  // until delivered or abandoned
  bool delivered = false;
  // While a step of an upload runs, the step owns the handler (and the chunk's bytes), so both
  // outlive the session if they must.
  std::unique_ptr<UploadHandler> upload;
  std::shared_ptr<char[]> chunk;
};

}  // namespace w2v::server::http_io
