#include "proto/answers.h"
#include "proto/api_error.h"
#include "proto/json_text.h"
#include "proto/requests.h"
#include "server/handlers/blocking_work.h"
#include "server/handlers/routes.h"

namespace w2v::server {

using proto::ApiError;

namespace {

// The job's progress as Server-Sent Events: a "progress" event per poll while it is queued or
// running, then one "end" event with the final record.
class JobEvents : public EventSource {
 public:
  JobEvents(JobManager& jobs, std::string id) : jobs_(jobs), id_(std::move(id)) {}
  std::string next(bool& done) override {
    const auto j = jobs_.job(id_);
    if (!j) {
      done = true;
      const ApiError gone = proto::not_found_error(proto::Resource::kJob, id_);
      return "event: error\ndata: " + proto::error_body(gone.code(), gone.what()) + "\n\n";
    }
    const std::string data = proto::dump(proto::to_json(*j));
    if (proto::is_terminal(j->status)) {
      done = true;
      return "event: end\ndata: " + data + "\n\n";
    }
    return "event: progress\ndata: " + data + "\n\n";
  }

 private:
  JobManager& jobs_;
  std::string id_;
};

proto::JobRecord job_or_404(JobManager& jobs, const std::string& id) {
  auto j = jobs.job(id);
  if (!j) throw proto::not_found_error(proto::Resource::kJob, id);
  return *j;
}

}  // namespace

void add_job_routes(Router& router, AppContext& app) {
  // Submitting reads the corpus's counts file: on the blocking pool.
  router.add_json("POST", "/v1/jobs", [&app](Request& req) {
    auto request = std::make_shared<const proto::CreateJobRequest>(
        proto::parse_create_job(proto::parse_json_body(req.body)));
    return on_blocking_pool(app, req, [&app, request](const Request&) {
      const proto::JobRecord j = app.jobs.submit(*request);
      Response r = Response::json(202, proto::dump(proto::to_json(j)));
      r.headers.emplace_back("Location", "/v1/jobs/" + j.id);
      return r;
    });
  });

  // The job parameters' table (core/train/param_table.h): the dashboard's New job form.
  router.add("GET", "/v1/params", [](Request&) {
    return Response::json(200, proto::dump(proto::params_description()));
  });

  router.add("GET", "/v1/jobs", [&app](Request&) {
    return Response::json(200, proto::dump(proto::jobs_to_json(app.jobs.jobs())));
  });

  router.add("GET", "/v1/jobs/{id}", [&app](Request& req) {
    return Response::json(200, proto::dump(proto::to_json(job_or_404(app.jobs, req.param("id")))));
  });

  router.add("POST", "/v1/jobs/{id}/cancel", [&app](Request& req) {
    return Response::json(200, proto::dump(proto::to_json(app.jobs.cancel(req.param("id")))));
  });

  router.add("GET", "/v1/jobs/{id}/events", [&app](Request& req) {
    job_or_404(app.jobs, req.param("id"));
    Response r;
    r.content_type = "text/event-stream";
    r.events = std::make_shared<JobEvents>(app.jobs, req.param("id"));
    return r;
  });
}

}  // namespace w2v::server
