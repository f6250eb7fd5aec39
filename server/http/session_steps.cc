// Session: steps of a request computed elsewhere (Response::deferred, the upload handler's
// on_data_async and on_complete_async). The session reads nothing meanwhile; the completion may
// come from any thread, once (repeats are ignored), and is posted back to the session's strand.
// See PendingStep for who owns what while a step runs.

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "server/http/log_escape.h"
#include "server/http/session.h"

namespace w2v::server::http_io {

void Session::run_step(PendingStep::Kind kind, const StepStart& start) {
  auto step = std::make_shared<PendingStep>(kind);
  step->session = shared_from_this();
  if (kind != PendingStep::Kind::kResponse) step->upload = std::move(ex_.upload);
  if (kind == PendingStep::Kind::kUploadData) step->chunk = chunk_buf_;
  listener_.add_step(step);
  state_ = State::kDeferred;
  try {
    start(step->upload.get(), [step](StepResult result) { deliver(step, std::move(result)); });
  } catch (...) {
    auto error = std::current_exception();
    {
      std::lock_guard lock(step->mu);
      if (step->delivered) {
        return log_error("a deferred step threw after completing", "its error is ignored");
      }
      step->delivered = true;
      step->session.reset();  // this session, kept alive by the caller's handler
    }
    listener_.remove_step(step.get());
    if (kind == PendingStep::Kind::kUploadData) ex_.upload = std::move(step->upload);
    state_ = State::kBusy;
    abort_upload();
    call([&] { std::rethrow_exception(error); });
  }
}

void Session::deliver(const std::shared_ptr<PendingStep>& step, StepResult result) {
  std::lock_guard lock(step->mu);
  if (step->delivered) {
    spdlog::warn("a deferred step was completed more than once; the repeat is ignored");
    return;
  }
  step->delivered = true;
  auto session = std::move(step->session);
  if (!session) return;  // abandoned: the server is gone
  net::post(session->executor(), [session, step, result = std::move(result)]() mutable {
    session->on_step_done(*step, std::move(result));
  });
}

void Session::on_step_done(PendingStep& step, StepResult result) {
  listener_.remove_step(&step);
  if (step.kind == PendingStep::Kind::kUploadData) ex_.upload = std::move(step.upload);
  if (state_ == State::kClosed) {  // the client left, or the server force-closed
    spdlog::info("dropping the result of request {} ({} {}) from {}: the connection closed first",
                 ex_.req.request_id, escape_for_log(ex_.req.method), escape_for_log(ex_.req.target),
                 remote_);
    abort_upload();
    return;
  }
  state_ = State::kBusy;
  guard([&] { on_step_result(step.kind, std::move(result)); });
}

void Session::on_step_result(PendingStep::Kind kind, StepResult result) {
  if (kind == PendingStep::Kind::kUploadData) {
    return on_upload_data_done(std::get<std::exception_ptr>(std::move(result)));
  }
  send(std::get<Response>(std::move(result)));
}

}  // namespace w2v::server::http_io
