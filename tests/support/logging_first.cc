// Linked into every server test program: sets up logging as w2vd does (server/app/app.cc calls
// setup_logging first thing), before main and so before any test starts a thread.
//
// spdlog builds its registry and default logger the first time anything logs, in a
// function-local static inside libspdlog.so. That library is not built with ThreadSanitizer, so
// TSan does not see the check by which a second thread finds the logger already built, and two
// threads whose first log lines come at once are reported as racing on it (a CI run of
// ModelCacheTest.ConcurrentQueriesLoadOnceAndBuildTheIndexOnceDespiteEvictions was;
// Logging.ThreadsWhoseFirstLinesComeAtOnceShareOneLogger reproduces it without this file).

#include "server/runtime/logging.h"

namespace {

struct LoggingFirst {
  LoggingFirst() { w2v::server::setup_logging("text", "info"); }
};

const LoggingFirst logging_first;

}  // namespace
