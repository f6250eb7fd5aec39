#include "server/handlers/blocking_work.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "proto/api_error.h"
#include "server/http/request_head.h"

namespace w2v::server {

Response busy_response(const std::string& message) {
  Response r = Response::json(503, proto::error_body("busy", message));
  r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  return r;
}

std::string pool_full_message(const AppContext& app) {
  return "the server is busy with other heavy requests (" +
         std::to_string(app.pool.threads() + app.pool.max_queued()) +
         " at once: --blocking-threads plus --blocking-queue); retry in a moment";
}

proto::ApiError pool_full_error(const AppContext& app) {
  return proto::ApiError(503, "busy", pool_full_message(app));
}

proto::ApiError shutting_down_error() {
  return proto::ApiError(503, "shutting_down", "the server is shutting down");
}

Response api_error_response(const proto::ApiError& e) {
  return error_response(e);
}

Response error_response_for(std::exception_ptr error, const std::string& request_id) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const proto::ApiError& e) {
    return api_error_response(e);
  } catch (const std::exception& e) {
    spdlog::error("request {}: unhandled exception: {}", request_id, e.what());
  } catch (...) {
    spdlog::error("request {}: unhandled exception (not a std::exception)", request_id);
  }
  return Response::json(500, proto::error_body("internal",
                                               "internal server error; the server log has the "
                                               "details under request id " +
                                                   request_id));
}

Response on_blocking_pool(AppContext& app, Request& req,
                          std::function<Response(const Request&)> work) {
  std::shared_ptr<BlockingPool::Lease> lease = app.pool.try_lease();
  if (!lease) return busy_response(pool_full_message(app));
  std::string body = std::move(req.body);  // up to --max-body-bytes: moved, not copied
  auto copy = std::make_shared<Request>(req);
  copy->body = std::move(body);
  std::shared_ptr<const Request> request = std::move(copy);
  return Response::later([lease, request, work = std::move(work)](const Completion& complete) {
    // The task keeps the lease (the request's place) until it has answered.
    const bool posted = lease->post([lease, request, work, complete] {
      Response r;
      try {
        r = work(*request);
      } catch (...) {
        r = error_response_for(std::current_exception(), request->request_id);
      }
      complete(std::move(r));
    });
    if (!posted) complete(api_error_response(shutting_down_error()));
  });
}

void complete_on_pool(BlockingPool::Lease& lease, UploadHandler& upload,
                      const std::string& request_id, const Completion& done) {
  const bool posted = lease.post([&upload, request_id, done] {
    Response r;
    try {
      r = upload.on_complete();
    } catch (...) {
      upload.on_abort();
      r = error_response_for(std::current_exception(), request_id);
    }
    done(std::move(r));
  });
  if (!posted) done(api_error_response(shutting_down_error()));
}

}  // namespace w2v::server
