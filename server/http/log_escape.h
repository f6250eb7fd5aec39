#pragma once
// Text from a client made safe for a log line: a newline or other control character in a
// method, target or name must not forge a line (or a field) of the log.

#include <cstddef>
#include <string>
#include <string_view>

namespace w2v::server {

// Printable ASCII stays as it is (a backslash is doubled); every other byte (control
// characters, DEL, bytes >= 0x80) becomes \xNN. Input past max_bytes is cut and the cut said
// ("...(+N bytes)").
std::string escape_for_log(std::string_view s, std::size_t max_bytes = 1024);

}  // namespace w2v::server
