#include "server/mpi/command_line.h"

#include <stdexcept>

namespace w2v::server {

std::vector<std::string> split_command_line(std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    throw std::invalid_argument("a NUL byte in the command");
  std::vector<std::string> args;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) args.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) throw std::invalid_argument("an unterminated ' quote");
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) throw std::invalid_argument("an unterminated \" quote");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\'))
          ++i;
        word += text[i];
      }
    } else if (c == '\\') {
      if (i + 1 >= text.size()) throw std::invalid_argument("a backslash at the end");
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (in_word) args.push_back(std::move(word));
  return args;
}

}  // namespace w2v::server
