#pragma once
// The daemon: opens the data directory and the store, starts the job manager and the HTTP
// server, and runs until SIGINT or SIGTERM, then shuts down gracefully (in-flight responses
// finish, running jobs stop at a checkpoint to resume on the next start, the store closes).

#include "server/runtime/config.h"

namespace w2v::server {

// Returns the process exit code.
int run_server(const ServerConfig& config);

}  // namespace w2v::server
