#pragma once
// ASCII case folding for protocol text: header names, schemes, media types, file extensions,
// locale names. Bytes outside A-Z pass through unchanged, whatever the locale.

#include <string>
#include <string_view>

namespace w2v {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace w2v
