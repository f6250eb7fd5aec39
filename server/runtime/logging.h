#pragma once
// Log setup: spdlog to stderr, as readable text lines or one JSON object per line
// ({"time", "level", "msg"}) for log collectors.

#include <string>

namespace w2v::server {

// format: "text" | "json"; level: spdlog level name. Throws std::invalid_argument otherwise.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace w2v::server
