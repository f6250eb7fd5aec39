#pragma once
// The dashboard's files (server/ui/ and Chart.js), compiled into the binary by
// server/ui/embed_ui.cmake.

#include <span>
#include <string_view>

namespace w2v::server {

struct EmbeddedUiFile {
  std::string_view name;          // "index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view bytes;
};

std::span<const EmbeddedUiFile> embedded_ui_files();

}  // namespace w2v::server
