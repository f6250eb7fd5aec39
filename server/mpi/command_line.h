#pragma once
// A command given as one string (--mpi-launcher "mpirun --hostfile /etc/w2vd/hosts") split
// into its arguments the way a shell splits words, without a shell: nothing is expanded or
// substituted. Whitespace separates arguments; single quotes keep everything up to the next
// single quote; double quotes keep everything up to the next double quote, where a backslash
// escapes " and \; outside quotes a backslash keeps the next character.

#include <string>
#include <string_view>
#include <vector>

namespace w2v::server {

// Throws std::invalid_argument naming the problem (an unterminated quote, a trailing
// backslash, a NUL byte).
std::vector<std::string> split_command_line(std::string_view text);

}  // namespace w2v::server
