#pragma once
// Heavy work off the HTTP I/O threads: a handler hands it to the blocking pool
// (server/runtime/blocking_pool.h) and the connection waits, without blocking its thread, for the
// response. When the pool has no place the request is answered 503 with Retry-After at once.

#include <exception>
#include <functional>
#include <string>

#include "proto/api_error.h"
#include "server/handlers/app_context.h"
#include "server/http/request.h"
#include "server/http/response.h"
#include "server/http/upload.h"

namespace w2v::server {

// Seconds a client is told to wait (Retry-After) when the server has no room for its request.
inline constexpr int kRetryAfterSeconds = 1;

// 503 "busy" with Retry-After, saying why.
Response busy_response(const std::string& message);
// Why a request that needs the blocking pool is refused now (every place is taken).
std::string pool_full_message(const AppContext& app);
// The same refusal as an exception, for an upload refused when its headers arrive.
proto::ApiError pool_full_error(const AppContext& app);
// What a step posted while the server stops fails with.
proto::ApiError shutting_down_error();
// An ApiError's response: its status, code and message.
Response api_error_response(const proto::ApiError& e);
// The response for an exception thrown by a handler's work: an ApiError's own status and code,
// anything else a 500 (logged with the request id).
Response error_response_for(std::exception_ptr error, const std::string& request_id);
// Runs work on the blocking pool and answers with what it returns, or with error_response_for
// what it throws. 503 at once when the pool is full. work gets its own copy of the request, the
// body moved there (req.body is left empty).
Response on_blocking_pool(AppContext& app, Request& req,
                          std::function<Response(const Request&)> work);

// An upload's last step on its lease: done gets upload.on_complete()'s response, or, after
// upload.on_abort(), the error response for what it threw. upload must live until done is called
// (the connection keeps it).
void complete_on_pool(BlockingPool::Lease& lease, UploadHandler& upload,
                      const std::string& request_id, const Completion& done);

}  // namespace w2v::server
